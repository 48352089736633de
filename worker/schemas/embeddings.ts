import { z } from "@hono/zod-openapi";
import type { GatewayConfig } from "../config";
import type { ScanRules } from "./json-prescan";

export const EmbeddingsRequestSchema = z
  .object({
    // Bounded: an unknown model is named in the 404, which must not echo megabytes back.
    model: z.string().min(1).max(256).openapi({ example: "BAAI/bge-large-en-v1.5" }),
    input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).openapi({ example: "New York City" }),
    encoding_format: z.enum(["float", "base64"]).optional().openapi({
      description: "`float` (default) returns number arrays; `base64` returns little-endian float32 bytes, 4-5x smaller.",
    }),
    // Accepted only when equal to the model's own size: these models cannot shorten vectors.
    dimensions: z.number().int().positive().optional().openapi({
      description:
        "For matryoshka models, any size up to the native one (the cached full vector, truncated and re-normalised); others accept only their own size.",
      example: 256,
    }),
    // Accepted for OpenAI-client compatibility and ignored: never forwarded upstream.
    user: z.string().optional(),
  })
  .strict()
  .openapi("EmbeddingsRequest");

export type EmbeddingsRequest = z.infer<typeof EmbeddingsRequestSchema>;

export const EmbeddingsResponseSchema = z
  .object({
    object: z.literal("list"),
    model: z.string(),
    data: z.array(
      z.object({
        object: z.literal("embedding"),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string()]),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi("EmbeddingsResponse");

/** The embeddings limits checked on the raw body, before it is parsed (see json-prescan.ts). */
export const embeddingsScanRules = (limits: GatewayConfig["limits"]): ScanRules => ({
  input: {
    items: { limit: limits.maxInputs, setting: "MAX_INPUTS", what: "The number of inputs" },
    chars: {
      limit: limits.maxInputChars,
      setting: "MAX_INPUT_CHARS",
      what: (i) => (i === undefined ? "The length of the input" : `The length of input ${i}`),
    },
  },
});

import { z } from "@hono/zod-openapi";
import type { GatewayConfig } from "../config";
import type { ScanRules } from "./json-prescan";

export const RerankRequestSchema = z
  .object({
    model: z.string().min(1).max(256).openapi({ example: "Salesforce/Llama-Rank-v1" }),
    query: z.string().min(1).openapi({ example: "What animals can I find near Peru?" }),
    documents: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    top_n: z.number().int().positive().optional(),
    return_documents: z.boolean().optional(),
    rank_fields: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .openapi({ description: "Fields of object documents to rank by (at most MAX_RANK_FIELDS, 64 by default)" }),
  })
  .strict()
  .openapi("RerankRequest");

export type RerankRequest = z.infer<typeof RerankRequestSchema>;

export const RerankResponseSchema = z
  .object({
    object: z.literal("rerank"),
    id: z.string(),
    model: z.string(),
    results: z.array(
      z.object({
        index: z.number().int(),
        relevance_score: z.number(),
        document: z.object({ text: z.string() }).optional(),
      }),
    ),
    usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi("RerankResponse");

/** The rerank limits checked on the raw body, before it is parsed (see json-prescan.ts). */
export const rerankScanRules = (limits: GatewayConfig["limits"]): ScanRules => ({
  query: { chars: { limit: limits.maxQueryChars, setting: "MAX_QUERY_CHARS", what: () => "The query length" } },
  documents: {
    items: { limit: limits.maxDocuments, setting: "MAX_DOCUMENTS", what: "The number of documents" },
    // A string document's length; an object's counts as the JSON of its ranked fields, after parsing.
    chars: { limit: limits.maxInputChars, setting: "MAX_INPUT_CHARS", what: (i) => `The length of document ${i}` },
    itemDepth: { limit: limits.maxDocumentDepth, setting: "MAX_DOCUMENT_DEPTH" },
    members: {
      limit: limits.maxDocumentMembers,
      setting: "MAX_DOCUMENT_MEMBERS",
      what: "The number of fields and array items in the object documents",
    },
  },
  rank_fields: { items: { limit: limits.maxRankFields, setting: "MAX_RANK_FIELDS", what: "The number of rank_fields" } },
});

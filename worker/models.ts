import { z } from "@hono/zod-openapi";

export const ModelSpecSchema = z.object({
  id: z.string().min(1),
  type: z.enum(["embedding", "rerank"]),
  /** Vector length; required for embedding models because cached vectors are checked against it. */
  dimensions: z.number().int().positive().optional(),
  context_length: z.number().int().positive().optional(),
  /** Most items the upstream accepts in one call; larger requests are split. */
  max_batch: z.number().int().positive().default(128),
}).refine((m) => m.type !== "embedding" || m.dimensions !== undefined, {
  message: "embedding models need `dimensions`",
});

export type ModelSpec = z.infer<typeof ModelSpecSchema>;

/**
 * The built-in catalogue: what Together serves for embeddings and rerank as of late 2026.
 * Catalogues change (most serverless embedding models were retired in 2026 and rerank moved to
 * dedicated endpoints), so deployments set `MODELS` rather than editing this list.
 */
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { id: "intfloat/multilingual-e5-large-instruct", type: "embedding", dimensions: 1024, context_length: 514, max_batch: 128 },
  { id: "Alibaba-NLP/gte-modernbert-base", type: "embedding", dimensions: 768, context_length: 8192, max_batch: 128 },
  { id: "mixedbread-ai/Mxbai-Rerank-Large-V2", type: "rerank", context_length: 32768, max_batch: 256 },
  { id: "Salesforce/Llama-Rank-V1", type: "rerank", context_length: 8192, max_batch: 256 },
];

/** Parses the `MODELS` variable (a JSON array, or an already-parsed array from wrangler vars). */
export function parseModels(raw: unknown): Map<string, ModelSpec> {
  let value = raw === "" ? undefined : raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error("MODELS must be a JSON array of {id, type, dimensions?, context_length?, max_batch?}");
    }
  }
  const parsed = z.array(ModelSpecSchema).min(1).safeParse(value ?? DEFAULT_MODELS);
  if (!parsed.success) throw new Error(`MODELS is invalid: ${z.prettifyError(parsed.error)}`);
  return new Map(parsed.data.map((m) => [m.id, m]));
}

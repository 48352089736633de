import { z } from "@hono/zod-openapi";

export const RerankRequestSchema = z
  .object({
    model: z.string().min(1).openapi({ example: "Salesforce/Llama-Rank-v1" }),
    query: z.string().min(1).openapi({ example: "What animals can I find near Peru?" }),
    documents: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    top_n: z.number().int().positive().optional(),
    return_documents: z.boolean().optional(),
    rank_fields: z.array(z.string().min(1)).min(1).optional(),
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

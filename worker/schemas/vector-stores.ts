import { z } from "@hono/zod-openapi";

/** OpenAI's `POST /vector_stores/{id}/search` body, so `openai.vectorStores.search(name, ...)` works unchanged. */
export const VectorStoreSearchSchema = z
  .object({
    query: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]),
    max_num_results: z.number().int().min(1).max(50).optional().openapi({ description: "1-50, default 10" }),
    filters: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "{type: eq|ne|gt|gte|lt|lte|in|nin, key, value} or {type: and|or, filters}, on record metadata" }),
    ranking_options: z
      .object({
        ranker: z
          .string()
          .optional()
          .openapi({ description: "'auto', 'none' or 'default-2024-11-15' keep vector order; a rerank model id of the catalogue reranks" }),
        score_threshold: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    rewrite_query: z.boolean().optional().openapi({ description: "Accepted; queries are never rewritten" }),
  })
  .strict()
  .openapi("VectorStoreSearchRequest");

export const VectorStoreSearchPageSchema = z
  .object({
    object: z.literal("vector_store.search_results.page"),
    search_query: z.array(z.string()),
    data: z.array(
      z.object({
        file_id: z.string().openapi({ description: "The record id" }),
        filename: z.string().openapi({ description: "The record's `filename` metadata when a string, else its id" }),
        score: z.number(),
        attributes: z.record(z.string(), z.unknown()).nullable(),
        content: z.array(z.object({ type: z.literal("text"), text: z.string() })),
      }),
    ),
    has_more: z.boolean(),
    next_page: z.string().nullable(),
  })
  .openapi("VectorStoreSearchPage");

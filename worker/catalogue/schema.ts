import { z } from "@hono/zod-openapi";

/** Where a public model id is served: a configured provider instance and its own id for the model. */
export const ModelRouteSchema = z
  .object({
    /** A provider instance name: `together`, `workers-ai`, `openai`, `cohere`, `local`, or one from PROVIDERS. */
    provider: z.string().min(1),
    /** The upstream's id for the model (a Together dedicated endpoint's name, `@cf/baai/...`, ...). */
    model: z.string().min(1),
    /** Extra upstream request fields that change the vectors (Workers AI `pooling`); part of the cache key. */
    params: z.record(z.string(), z.unknown()).optional(),
    /** This route's price in USD per million input tokens; the model's `price_per_million_tokens` when absent. */
    price_per_million_tokens: z.number().nonnegative().optional(),
  })
  .strict();

export const ModelSpecSchema = z
  .object({
    id: z.string().min(1),
    type: z.enum(["embedding", "rerank"]),
    /** Vector length; required for embedding models because cached vectors are checked against it. */
    dimensions: z.number().int().positive().optional(),
    context_length: z.number().int().positive().optional(),
    /** Most items the upstream accepts in one call; larger requests are split. */
    max_batch: z.number().int().positive().default(128),
    /** Other public ids for the same model (`@cf/baai/bge-large-en-v1.5` for `BAAI/bge-large-en-v1.5`). */
    aliases: z.array(z.string().min(1)).optional(),
    /** Vectors may be shortened (truncated and re-normalised) to any `dimensions` up to the native size. */
    matryoshka: z.boolean().optional(),
    /**
     * Upstream price in USD per million input tokens, for every route without its own: what usage
     * accounting (`cost_usd`, `saved_usd`) and budgets charge, and `npm run bench`'s cost table.
     */
    price_per_million_tokens: z.number().nonnegative().optional(),
    description: z.string().optional(),
    /** In order: when a route fails through no fault of the request, the next one answers. */
    routes: z.array(ModelRouteSchema).min(1).optional(),
  })
  .strict()
  .refine((m) => m.type !== "embedding" || m.dimensions !== undefined, { message: "embedding models need `dimensions`" });

export type ModelRoute = z.infer<typeof ModelRouteSchema>;
export type ModelSpecInput = z.input<typeof ModelSpecSchema>;

/** A catalogue entry with its routes resolved (a `MODELS` entry without routes is served by `together`). */
export type ModelSpec = z.infer<typeof ModelSpecSchema> & { routes: ModelRoute[] };

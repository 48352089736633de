import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";

const ModelListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        id: z.string(),
        object: z.literal("model"),
        type: z.enum(["embedding", "rerank"]),
        dimensions: z.number().int().optional(),
        context_length: z.number().int().optional(),
        max_batch: z.number().int(),
        owned_by: z.string(),
      }),
    ),
  })
  .openapi("ModelList");

export const modelsRoute = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "The embedding and rerank models this gateway serves",
  responses: { 200: { description: "Configured models", content: { "application/json": { schema: ModelListSchema } } } },
});

export function registerModels(app: OpenAPIHono<AppEnv>): void {
  app.openapi(modelsRoute, (c) =>
    c.json(
      {
        object: "list" as const,
        data: [...c.var.config.models.values()].map((m) => ({
          id: m.id,
          object: "model" as const,
          type: m.type,
          dimensions: m.dimensions,
          context_length: m.context_length,
          max_batch: m.max_batch,
          owned_by: m.id.split("/")[0],
        })),
      },
      200,
    ),
  );
}

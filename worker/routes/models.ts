import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { ACCESS_ERRORS } from "../schemas/error";

const ModelSchema = z
  .object({
    id: z.string(),
    object: z.literal("model"),
    type: z.enum(["embedding", "rerank"]),
    dimensions: z.number().int().optional(),
    context_length: z.number().int().optional(),
    max_batch: z.number().int(),
    matryoshka: z.boolean().optional(),
    aliases: z.array(z.string()).optional(),
    /** The provider that answers first (the others are fallbacks). */
    provider: z.string(),
    providers: z.array(z.string()),
    owned_by: z.string(),
    organization: z.string(),
    created: z.number().int(),
    description: z.string().optional(),
  })
  .openapi("Model");

const ModelListSchema = z.object({ object: z.literal("list"), data: z.array(ModelSchema) }).openapi("ModelList");

export const modelsRoute = createRoute({
  tags: ["Models"],
  method: "get",
  path: "/v1/models",
  summary: "The embedding and rerank models this gateway serves now (those with a configured provider)",
  responses: {
    200: {
      description: "Served models. Together's SDKs (User-Agent `Together/...`) get the bare array Together answers with.",
      content: { "application/json": { schema: ModelListSchema } },
    },
    ...ACCESS_ERRORS,
  },
});

/**
 * Each SDK's `models.list()` gets the shape it expects: Together's SDKs (User-Agent `Together/...`)
 * a bare array, as Together answers; everyone else (the `openai` SDK, curl) OpenAI's `{object, data}`.
 */
const wantsBareArray = (userAgent: string | undefined) => userAgent?.startsWith("Together/") ?? false;

export function registerModels(app: OpenAPIHono<AppEnv>): void {
  app.openapi(modelsRoute, (c) => {
    const data = c.get("gateway").models as z.infer<typeof ModelListSchema>["data"];
    if (wantsBareArray(c.req.header("user-agent"))) return c.json(data as unknown as z.infer<typeof ModelListSchema>, 200);
    return c.json({ object: "list" as const, data }, 200);
  });
}

import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import type { TypedResponse } from "hono";
import { endTime, startTime } from "hono/timing";
import type { AppEnv } from "../app-env";
import { embeddingsBody } from "../codec/embeddings-json";
import { itemRequest } from "../request/item-request";
import { EmbeddingsRequestSchema, EmbeddingsResponseSchema, embeddingsScanRules } from "../schemas/embeddings";
import { readEmbeddingsRequest } from "../schemas/embeddings-request";
import { CACHE_CONTROL_PARAMETER, ITEM_ROUTE_ERRORS, ITEM_ROUTE_HEADERS } from "../schemas/error";
import { jsonBody, scanBody } from "../schemas/json-body";
import { setItemHeaders } from "./item-headers";

export const embeddingsRoute = createRoute({
  tags: ["Embeddings"],
  method: "post",
  path: "/v1/embeddings",
  summary: "Create embeddings (Together/OpenAI compatible, cached per input)",
  parameters: [CACHE_CONTROL_PARAMETER],
  request: { body: { required: true, content: { "application/json": { schema: EmbeddingsRequestSchema } } } },
  responses: {
    200: {
      description: "Embeddings in input order",
      headers: ITEM_ROUTE_HEADERS,
      content: { "application/json": { schema: EmbeddingsResponseSchema } },
    },
    ...ITEM_ROUTE_ERRORS,
  },
});

export function registerEmbeddings(app: OpenAPIHono<AppEnv>): void {
  // Registered for the OpenAPI document; served with the one-layer body validator (see json-body.ts).
  app.openAPIRegistry.registerPath(embeddingsRoute);
  app.post(embeddingsRoute.path, scanBody(embeddingsScanRules), jsonBody(EmbeddingsRequestSchema), async (c) => {
    const call = readEmbeddingsRequest(c.req.valid("json"), c.get("gateway"), c.get("config").limits);
    const items = itemRequest(c);
    const resolved = await items.embed(call.model, call.inputs);
    setItemHeaders(c, resolved.stats, items.ignored);
    startTime(c, "encode");
    const json = embeddingsBody(call.modelName, resolved.values, resolved.keyOf, resolved.usage, {
      encoding: call.encoding,
      dimensions: call.dimensions,
      nativeDimensions: call.nativeDimensions,
      memory: c.get("gateway").memory,
    });
    // For a streamed body this times the start only: the vectors are printed as the client reads them.
    endTime(c, "encode");
    // A typed JSON response built as text: the hot path skips JSON.stringify over the vectors.
    return c.body(json, 200, { "content-type": "application/json" }) as unknown as TypedResponse<
      z.infer<typeof EmbeddingsResponseSchema>,
      200,
      "json"
    >;
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { type Document, documentText } from "../cache/rerank-items";
import { itemRequest } from "../request/item-request";
import { CACHE_CONTROL_PARAMETER, ITEM_ROUTE_ERRORS, ITEM_ROUTE_HEADERS } from "../schemas/error";
import { jsonBody, scanBody } from "../schemas/json-body";
import { RerankRequestSchema, RerankResponseSchema, rerankScanRules } from "../schemas/rerank";
import { readRerankRequest } from "../schemas/rerank-request";
import { setItemHeaders } from "./item-headers";
import { rankResults } from "./rank-results";

export const rerankRoute = createRoute({
  tags: ["Rerank"],
  method: "post",
  path: "/v1/rerank",
  summary: "Rerank documents for a query (Together compatible, cached per query-document pair)",
  parameters: [CACHE_CONTROL_PARAMETER],
  request: { body: { required: true, content: { "application/json": { schema: RerankRequestSchema } } } },
  responses: {
    200: {
      description: "Results by relevance, best first",
      headers: ITEM_ROUTE_HEADERS,
      content: { "application/json": { schema: RerankResponseSchema } },
    },
    ...ITEM_ROUTE_ERRORS,
  },
});

export function registerRerank(app: OpenAPIHono<AppEnv>): void {
  // Registered for the OpenAPI document; served with the one-layer body validator (see json-body.ts).
  app.openAPIRegistry.registerPath(rerankRoute);
  app.post(rerankRoute.path, scanBody(rerankScanRules), jsonBody(RerankRequestSchema), async (c) => {
    // Object documents as JSON.parse made them (the body validator keeps them).
    const raw = c.get("jsonBody") as { documents: Document[] };
    const call = readRerankRequest(c.req.valid("json"), raw.documents, c.get("gateway"), c.get("config").limits);
    const items = itemRequest(c);
    const resolved = await items.rerank(call.model, call);
    setItemHeaders(c, resolved.stats, items.ignored);
    const ranked = rankResults(resolved.scores, call.topN);
    return c.json(
      {
        object: "rerank" as const,
        id: c.get("requestId"),
        model: call.modelName,
        results: ranked.map(({ index, score }) =>
          call.returnDocuments
            ? { index, relevance_score: score, document: { text: documentText(call.documents[index], undefined) } }
            : { index, relevance_score: score },
        ),
        usage: {
          prompt_tokens: resolved.usage.prompt_tokens,
          completion_tokens: resolved.usage.completion_tokens,
          total_tokens: resolved.usage.total_tokens,
        },
      },
      200,
    );
  });
}

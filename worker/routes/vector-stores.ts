import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { collectionsContext } from "../collections/context";
import { parseOpenAIFilter } from "../collections/filter";
import { queryCollection } from "../collections/query";
import { CollectionNameParam } from "../schemas/collections";
import { ErrorDataSchema, ITEM_ROUTE_ERRORS } from "../schemas/error";
import { jsonBody } from "../schemas/json-body";
import { requireQuery } from "../schemas/over-limit";
import { VectorStoreSearchPageSchema, VectorStoreSearchSchema } from "../schemas/vector-stores";
import { collectionAccess, collectionName } from "./collections";
import { setItemHeaders } from "./item-headers";

export const vectorStoreSearchRoute = createRoute({
  tags: ["Collections"],
  method: "post",
  path: "/v1/vector_stores/{name}/search",
  summary: "Search a collection in OpenAI's vector-store shape (openai.vectorStores.search)",
  request: {
    params: CollectionNameParam,
    body: { required: true, content: { "application/json": { schema: VectorStoreSearchSchema } } },
  },
  responses: {
    200: { description: "Results, best first", content: { "application/json": { schema: VectorStoreSearchPageSchema } } },
    ...ITEM_ROUTE_ERRORS,
    404: { description: "No such collection (collection_not_found)", content: { "application/json": { schema: ErrorDataSchema } } },
  },
});

/** OpenAI's ranker names, which keep the vector order here; any other value names a rerank model. */
const OPENAI_RANKERS = new Set(["auto", "none", "default-2024-11-15"]);

export function registerVectorStores(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(vectorStoreSearchRoute);
  app.post(
    vectorStoreSearchRoute.path.replace("{name}", ":name"),
    collectionAccess("collections:read"),
    jsonBody(VectorStoreSearchSchema),
    async (c) => {
      const body = c.req.valid("json");
      const queries = typeof body.query === "string" ? [body.query] : body.query;
      // Several queries are searched as one text, as one embedding.
      const query = queries.join("\n");
      requireQuery(query, c.get("config").limits);
      const ranker = body.ranking_options?.ranker;
      const topK = body.max_num_results ?? 10;
      const result = await queryCollection(collectionsContext(c), collectionName(c), {
        query,
        topK,
        filter: body.filters === undefined ? undefined : parseOpenAIFilter(body.filters),
        rerank: ranker !== undefined && !OPENAI_RANKERS.has(ranker) ? { model: ranker } : undefined,
        includeText: true,
        includeMetadata: true,
      });
      setItemHeaders(c, result.embedStats);
      const threshold = body.ranking_options?.score_threshold;
      const data = result.data
        .map((hit) => ({
          file_id: hit.id,
          filename: typeof hit.metadata?.filename === "string" ? hit.metadata.filename : hit.id,
          score: hit.rerank_score ?? hit.score,
          attributes: hit.metadata ?? null,
          content: [{ type: "text" as const, text: hit.text ?? "" }],
        }))
        .filter((hit) => threshold === undefined || hit.score >= threshold);
      return c.json(
        { object: "vector_store.search_results.page" as const, search_query: queries, data, has_more: false, next_page: null },
        200,
      );
    },
  );
}

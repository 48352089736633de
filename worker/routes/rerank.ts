import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { cacheDeps, cachePolicyFrom, cacheSubjectOf } from "../cache/request-cache";
import { type Document, documentIdentity, documentText, identityLength, rerankItems } from "../cache/rerank-items";
import { requireModel } from "../catalogue/resolve";
import { invalidParam } from "../errors";
import { CACHE_CONTROL_PARAMETER, ITEM_ROUTE_ERRORS, ITEM_ROUTE_HEADERS } from "../schemas/error";
import { jsonBody, scanBody } from "../schemas/json-body";
import { RerankRequestSchema, RerankResponseSchema, rerankScanRules } from "../schemas/rerank";
import { setItemHeaders } from "./item-headers";
import { overLimit, requireLocalVolume } from "./over-limit";
import { rankResults } from "./rank-results";
import { requireWellFormed } from "./well-formed";

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
    const body = c.req.valid("json");
    const config = c.get("config");
    const model = requireModel(config, body.model, "rerank");
    const { query } = body;
    // Object documents as JSON.parse made them: schema validation copies objects, and a copy loses an
    // own field named `__proto__` (it sets the prototype instead).
    const raw = c.get("jsonBody") as { documents: Document[] };
    const documents = raw.documents;
    const { maxDocuments, maxQueryChars, maxInputChars } = config.limits;
    if (documents.length > maxDocuments)
      throw overLimit("documents", `The number of documents (${documents.length})`, maxDocuments, "MAX_DOCUMENTS");
    if (query.length > maxQueryChars)
      throw overLimit("query", `The query length (${query.length} characters)`, maxQueryChars, "MAX_QUERY_CHARS");
    const allStrings = typeof documents[0] === "string";
    if (documents.some((d) => (typeof d === "string") !== allStrings)) {
      throw invalidParam("documents", "Documents must be all strings or all objects.");
    }
    const identities = documents.map((doc) => documentIdentity(doc, body.rank_fields));
    const tooLong = identities.findIndex((text) => identityLength(text) > maxInputChars);
    if (tooLong >= 0) throw overLimit(`documents[${tooLong}]`, `The length of document ${tooLong}`, maxInputChars, "MAX_INPUT_CHARS");
    requireWellFormed([query], () => "query");
    requireWellFormed(identities, (i) => `documents[${i}]`);
    requireLocalVolume(config.limits, model, "documents", () => {
      // BM25 reads every document and scores the query against each.
      let chars = query.length * identities.length;
      for (const identity of identities) chars += identityLength(identity);
      return chars;
    });

    const principal = c.get("principal");
    const cache = cachePolicyFrom(c.req.header("cache-control"), config, principal);
    const resolved = await rerankItems(
      { requestId: c.get("requestId") },
      model,
      query,
      documents,
      body.rank_fields,
      cache.policy,
      cacheDeps(c),
      cacheSubjectOf(config, principal),
    );
    setItemHeaders(c, resolved.stats, cache.ignored);
    const ranked = rankResults(resolved.scores, body.top_n);
    return c.json(
      {
        object: "rerank" as const,
        id: c.get("requestId"),
        model: body.model,
        results: ranked.map(({ index, score }) =>
          body.return_documents
            ? { index, relevance_score: score, document: { text: documentText(documents[index], undefined) } }
            : { index, relevance_score: score },
        ),
        usage: resolved.usage,
      },
      200,
    );
  });
}

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { resolveItems } from "../cache/item-cache";
import { itemKeys, keyPrefix } from "../cache/keys";
import { cachePolicyFrom, setCacheHeaders } from "../cache/policy";
import { invalidParam } from "../errors";
import { ITEM_ROUTE_ERRORS } from "../schemas/error";
import { RerankRequestSchema, RerankResponseSchema, type RerankRequest } from "../schemas/rerank";
import { rerankUpstream } from "../upstream/together";
import { overLimit, requireModel } from "./model-lookup";
import { rankResults } from "./rank-results";

export const rerankRoute = createRoute({
  method: "post",
  path: "/v1/rerank",
  summary: "Rerank documents for a query (Together compatible, cached per query-document pair)",
  request: { body: { required: true, content: { "application/json": { schema: RerankRequestSchema } } } },
  responses: {
    200: { description: "Results by relevance, best first", content: { "application/json": { schema: RerankResponseSchema } } },
    ...ITEM_ROUTE_ERRORS,
  },
});

type Document = RerankRequest["documents"][number];

/**
 * The text a cross-encoder scores for a document, which is also its cache identity: a string as
 * is, an object as JSON of the `rank_fields` it selects (all fields when none are named).
 * The `s:`/`o:` tags keep a string that looks like JSON apart from an object.
 */
export function documentIdentity(doc: Document, rankFields: string[] | undefined): string {
  if (typeof doc === "string") return "s:" + doc;
  const selected = rankFields ? Object.fromEntries(rankFields.map((f) => [f, doc[f]])) : doc;
  return "o:" + JSON.stringify(selected);
}

/** What `return_documents` shows: a string as is, an object as its JSON (as Together does). */
const documentText = (doc: Document) => (typeof doc === "string" ? doc : JSON.stringify(doc));

export function registerRerank(app: OpenAPIHono<AppEnv>): void {
  app.openapi(rerankRoute, async (c) => {
    const body = c.req.valid("json");
    const config = c.var.config;
    const model = requireModel(config, body.model, "rerank");
    const { documents, query } = body;
    const { maxDocuments, maxQueryChars, maxInputChars } = config.limits;
    if (documents.length > maxDocuments) throw overLimit("documents", `The number of documents (${documents.length})`, maxDocuments, "MAX_DOCUMENTS");
    if (query.length > maxQueryChars) throw overLimit("query", `The query length (${query.length} characters)`, maxQueryChars, "MAX_QUERY_CHARS");
    const allStrings = typeof documents[0] === "string";
    if (documents.some((d) => (typeof d === "string") !== allStrings)) {
      throw invalidParam("documents", "Documents must be all strings or all objects.");
    }
    const identities = documents.map((doc) => documentIdentity(doc, body.rank_fields));
    const tooLong = identities.findIndex((text) => text.length - 2 > maxInputChars);
    if (tooLong >= 0) throw overLimit(`documents[${tooLong}]`, `The length of document ${tooLong}`, maxInputChars, "MAX_INPUT_CHARS");

    const keys = await itemKeys(await keyPrefix("rr", config.baseURL, model.id, query), identities);
    const upstream = { config, requestId: c.var.requestId };
    const resolved = await resolveItems(
      c.env.EMBED_CACHE,
      {
        keys,
        isValid: (value) => Number.isFinite(Number.parseFloat(value)),
        fetch: (items) => rerankUpstream(upstream, model.id, query, items.map((i) => documents[i]), body.rank_fields),
        maxBatch: model.max_batch,
      },
      cachePolicyFrom(c.req.header("cache-control"), config),
      (work) => c.executionCtx.waitUntil(work),
    );

    setCacheHeaders(c, resolved);
    const ranked = rankResults(resolved.values.map(Number), body.top_n);
    return c.json(
      {
        object: "rerank" as const,
        id: c.var.requestId,
        model: model.id,
        results: ranked.map(({ index, score }) =>
          body.return_documents
            ? { index, relevance_score: score, document: { text: documentText(documents[index]) } }
            : { index, relevance_score: score },
        ),
        usage: resolved.usage,
      },
      200,
    );
  });
}

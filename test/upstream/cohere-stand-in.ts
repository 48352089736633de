// A stand-in for Cohere-shaped rerank (Cohere v2, and Jina's compatible endpoint):
// `POST {base}/rerank`, base URL per tenant `${url}/t/<tenant>/cohere/v2`. Errors are Cohere's
// `{message}` with the texts Cohere answers with; unknown fields are a 422 as on Cohere v2.
import { standInScore } from "./deterministic.ts";
import { scoreJson } from "./faults.ts";
import { echoKeyMessage, markerIn } from "./markers.ts";
import { type Reply, tally, type WireFormat } from "./stand-in-server.ts";

export const COHERE_STAND_IN_KEY = "test-cohere-stand-in-key-51f08c";

export const COHERE_STAND_IN_MODELS: readonly string[] = [
  "rerank-v3.5",
  "rerank-english-v3.0",
  "rerank-multilingual-v3.0",
  "jina-reranker-v2-base-multilingual",
];

const FIELDS = new Set(["model", "query", "documents", "top_n", "max_tokens_per_doc"]);

const error = (status: number, message: string): Reply => ({ status, body: { message } });

export const cohereFormat: WireFormat = {
  name: "cohere",
  operation: (path) => (path === "/rerank" ? { kind: "rerank" } : error(404, `404 page not found: POST /v2${path}`)),
  authorize(authorization) {
    if (authorization === `Bearer ${COHERE_STAND_IN_KEY}`) return undefined;
    return error(401, authorization ? "invalid api token" : "no api key supplied");
  },
  error,
  badJson: () => error(400, "invalid request: failed to decode the request body as JSON"),
  truncated: '{"id":"stand-in","results":[{"index":0,"relevance_score":0.',

  refuse(_op, body, raw) {
    const unknown = Object.keys(body).find((field) => !FIELDS.has(field));
    if (unknown)
      return error(
        422,
        `unknown field: parameter '${unknown}' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/rerank`,
      );
    if (!COHERE_STAND_IN_MODELS.includes(body.model)) {
      return error(404, `model '${body.model}' not found, make sure the correct model ID was used and that you have access to the model.`);
    }
    if (typeof body.query !== "string" || body.query === "") return error(400, "invalid request: query must not be empty");
    if (!Array.isArray(body.documents) || body.documents.length === 0)
      return error(400, "invalid request: list of documents must not be empty");
    if (body.documents.some((d: unknown) => typeof d !== "string"))
      return error(400, "invalid request: documents must be a list of strings");
    if (body.top_n !== undefined && !(Number.isInteger(body.top_n) && body.top_n > 0))
      return error(400, "invalid request: top_n must be a positive integer");
    const marker = markerIn(raw);
    if (marker === "too-long") return error(400, "invalid request: the query is too long; it must be at most 2048 tokens");
    if (marker === "echo-key") return error(400, echoKeyMessage);
    return undefined;
  },

  answer(_op, body, { state, nonFinite }) {
    const docs: string[] = body.documents;
    tally(state.reranked, docs);
    let results = docs
      .map((text, index) => ({ index, relevance_score: standInScore(body.query, text) }))
      .sort((a, b) => b.relevance_score - a.relevance_score);
    if (body.top_n) results = results.slice(0, body.top_n);
    const broken = results.map((r, i) => ({
      index: r.index,
      relevance_score: scoreJson(r.relevance_score, i === 0 ? nonFinite : undefined),
    }));
    // Cohere bills one search unit per query with up to 100 documents.
    const searchUnits = Math.ceil(docs.length / 100);
    return {
      status: 200,
      body: {
        id: crypto.randomUUID(),
        results: broken,
        meta: { api_version: { version: "2" }, billed_units: { search_units: searchUnits } },
      },
    };
  },
};

// A Together-compatible upstream for tests and benchmarks: deterministic embeddings and rerank
// scores, per-tenant counters, and injectable faults. Base URL per tenant: `${url}/t/<tenant>/v1`
// (or `${url}/v1` for the default tenant), so concurrent test files never share counters or faults.
// `startStandIn` (stand-ins.ts) mounts it beside the Workers AI, OpenAI and Cohere stand-ins.

import { embeddingTokens, standInDocumentText, standInScore, standInVector, words } from "./deterministic.ts";
import type { Fault } from "./faults.ts";
import { scoreJson, vectorJson } from "./faults.ts";
import { echoKeyMessage, markerIn } from "./markers.ts";
import { type Reply, type StandIn, tally, type WireFormat } from "./stand-in-server.ts";

export { standInDocumentText, standInScore, standInVector } from "./deterministic.ts";
export type { Fault, StandIn };

export const STAND_IN_API_KEY = "test-provider-key-s3cr3t-4f9c2e";

/** Dimensions per model; any other model is a 404 like Together's. */
export const STAND_IN_MODELS: Record<string, { type: "embedding" | "rerank"; dimensions?: number }> = {
  "BAAI/bge-large-en-v1.5": { type: "embedding", dimensions: 1024 },
  "BAAI/bge-base-en-v1.5": { type: "embedding", dimensions: 768 },
  "togethercomputer/m2-bert-80M-8k-retrieval": { type: "embedding", dimensions: 768 },
  "intfloat/multilingual-e5-large-instruct": { type: "embedding", dimensions: 1024 },
  "test/tiny-embed": { type: "embedding", dimensions: 8 },
  "Salesforce/Llama-Rank-v1": { type: "rerank" },
  "mixedbread-ai/Mxbai-Rerank-Large-V2": { type: "rerank" },
};

const error = (status: number, message: string): Reply => ({
  status,
  body: { error: { message, type: status >= 500 ? "server_error" : "invalid_request_error", param: null, code: null } },
});

export const togetherFormat: WireFormat = {
  name: "together",
  operation: (path) =>
    path === "/embeddings" ? { kind: "embeddings" } : path === "/rerank" ? { kind: "rerank" } : error(404, "not found"),
  authorize: (authorization) => (authorization === `Bearer ${STAND_IN_API_KEY}` ? undefined : error(401, "Invalid API key provided")),
  error,
  badJson: () => error(400, "bad json"),
  truncated: '{"object":"list","data":[{"embedding":[0.1,',

  refuse(op, body, raw) {
    const model = STAND_IN_MODELS[body.model];
    if (!model) return error(404, `Unable to access model ${body.model}`);
    if (op.kind === "embeddings" && model.type !== "embedding") return error(400, "not an embedding model");
    if (op.kind === "rerank" && model.type !== "rerank") return error(400, "not a rerank model");
    const marker = markerIn(raw);
    // Together's embedding models are served by TEI, whose validation error Together passes on.
    if (marker === "too-long") return error(400, "Input validation error: `inputs` must have less than 512 tokens. Given: 9000");
    if (marker === "echo-key") return error(400, echoKeyMessage);
    return undefined;
  },

  answer(op, body, { state, wrongDimensions, nonFinite }) {
    if (op.kind === "embeddings") {
      const inputs: string[] = typeof body.input === "string" ? [body.input] : body.input;
      tally(state.embedded, inputs);
      const dims = STAND_IN_MODELS[body.model].dimensions! - (wrongDimensions ? 1 : 0);
      const asBase64 = body.encoding_format === "base64";
      const data = inputs.map((text, index) => ({
        object: "embedding",
        index,
        embedding: vectorJson(standInVector(body.model, text, dims), asBase64, index === 0 ? nonFinite : undefined),
      }));
      const tokens = embeddingTokens(inputs);
      return { status: 200, body: { object: "list", model: body.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
    }

    const docs: unknown[] = body.documents;
    const texts = docs.map((d) => standInDocumentText(d, body.rank_fields));
    tally(state.reranked, texts);
    let results = texts
      .map((text, index) => ({
        index,
        relevance_score: standInScore(body.query, text),
        ...(body.return_documents ? { document: { text } } : {}),
      }))
      .sort((a, b) => b.relevance_score - a.relevance_score);
    if (body.top_n) results = results.slice(0, body.top_n);
    const broken = results.map((r, i) => ({ ...r, relevance_score: scoreJson(r.relevance_score, i === 0 ? nonFinite : undefined) }));
    const tokens = texts.reduce((n, t) => n + words(t).size, words(body.query).size * texts.length);
    return {
      status: 200,
      body: {
        object: "rerank",
        id: `stand-in-${state.calls.rerank}`,
        model: body.model,
        results: broken,
        usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens },
      },
    };
  },
};

// A stand-in for the Workers AI REST API (`POST {base}/accounts/{account_id}/ai/run/{model}`), base
// URL per tenant `${url}/t/<tenant>/workers-ai/client/v4`. Answers come in Cloudflare's API envelope
// `{result, success, errors, messages}`; error codes and texts follow developers.cloudflare.com's
// Workers AI error table (5007 "No such model", 10000 "Authentication error"), and input checks
// are worded like the API's schema errors (5006).
import { standInScore, standInVector } from "./deterministic.ts";
import { scoreJson, vectorJson } from "./faults.ts";
import { echoKeyMessage, markerIn } from "./markers.ts";
import { type Reply, tally, type WireFormat } from "./stand-in-server.ts";

export const WORKERS_AI_STAND_IN_TOKEN = "test-cf-api-token-9d41b7e0";
export const WORKERS_AI_STAND_IN_ACCOUNT = "0123456789abcdef0123456789abcdef";

type Pooling = "mean" | "cls";

/**
 * The models served. `pooling` marks the bge English models, whose input takes `pooling`
 * ("mean", the default, or "cls") and whose result echoes it; other models ignore it.
 */
export const WORKERS_AI_STAND_IN_MODELS: Record<string, { type: "embedding"; dimensions: number; pooling?: true } | { type: "rerank" }> = {
  "@cf/baai/bge-small-en-v1.5": { type: "embedding", dimensions: 384, pooling: true },
  "@cf/baai/bge-base-en-v1.5": { type: "embedding", dimensions: 768, pooling: true },
  "@cf/baai/bge-large-en-v1.5": { type: "embedding", dimensions: 1024, pooling: true },
  "@cf/baai/bge-m3": { type: "embedding", dimensions: 1024 },
  "@cf/google/embeddinggemma-300m": { type: "embedding", dimensions: 768 },
  "@cf/qwen/qwen3-embedding-0.6b": { type: "embedding", dimensions: 1024 },
  "@cf/baai/bge-reranker-base": { type: "rerank" },
};

/** The most texts one embedding request may carry (the models' schema: `maxItems: 100`). */
export const WORKERS_AI_MAX_TEXTS = 100;

/**
 * The vector for `text`: `standInVector` keyed by the upstream model id for mean pooling, and a
 * different (still deterministic) vector for cls pooling, as the real models give, so a cache that
 * ignores pooling is caught.
 */
export function workersAiStandInVector(model: string, text: string, pooling: Pooling = "mean"): Float32Array {
  const spec = WORKERS_AI_STAND_IN_MODELS[model];
  if (spec?.type !== "embedding") throw new Error(`not a Workers AI embedding model: ${model}`);
  return standInVector(pooling === "cls" ? `${model}#cls` : model, text, spec.dimensions);
}

/**
 * The reranker's score: a raw logit, not a probability (`standInScore` mapped from [0, 1) onto
 * [-6, 6)), so a gateway must squash it (sigmoid) before calling it a relevance in [0, 1].
 */
export const workersAiRerankScore = (query: string, text: string) => Math.round((standInScore(query, text) * 12 - 6) * 1e6) / 1e6;

const envelope = (result: unknown) => ({ result, success: true, errors: [], messages: [] });

function failure(status: number, code: number, message: string): Reply {
  return { status, body: { result: null, success: false, errors: [{ code, message }], messages: [] } };
}

/** Cloudflare's code for each HTTP status an injected fault may choose. */
function codeFor(status: number): number {
  if (status === 401 || status === 403) return 10000;
  if (status === 429) return 3040; // "Out of capacity"
  if (status === 408) return 3007; // "Timeout"
  if (status >= 500) return 3043; // not in Cloudflare's table: any code will do for an injected 5xx
  return 5006;
}

const schemaError = (message: string) => failure(400, 5006, `Error: ${message}`);

export const workersAiFormat: WireFormat = {
  name: "workers-ai",
  operation(path) {
    const match = /^\/accounts\/([^/]+)\/ai\/run\/(.+)$/.exec(path);
    if (!match) return failure(404, 7003, `Could not route to /client/v4${path}, perhaps your object identifier is invalid?`);
    // The model id keeps its `@` and `/` in the path; a percent-encoded id is decoded like Cloudflare's router does.
    const model = decodeURIComponent(match[2]);
    const spec = WORKERS_AI_STAND_IN_MODELS[model];
    return { kind: spec?.type === "rerank" ? "rerank" : "embeddings", model, account: match[1] };
  },
  authorize(authorization, op) {
    if (authorization !== `Bearer ${WORKERS_AI_STAND_IN_TOKEN}`) return failure(401, 10000, "Authentication error");
    // A valid token used for another account's path.
    if (op.account !== WORKERS_AI_STAND_IN_ACCOUNT) return failure(403, 10000, "Authentication error");
    return undefined;
  },
  error: (status, message) => failure(status, codeFor(status), message),
  badJson: () => failure(400, 3003, "Request is missing headers or body: body is not valid JSON"),
  truncated: '{"result":{"shape":[1,768],"data":[[0.1,',

  refuse(op, body, raw) {
    const spec = WORKERS_AI_STAND_IN_MODELS[op.model!];
    if (!spec) return failure(400, 5007, `No such model ${op.model} or task`);
    if (spec.type === "embedding") {
      if (body.text === undefined) return schemaError("required properties at '/' are 'text'");
      const texts = typeof body.text === "string" ? [body.text] : body.text;
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string"))
        return schemaError("at '/text': must be string or array of strings");
      if (texts.length > WORKERS_AI_MAX_TEXTS) return schemaError(`at '/text': must NOT have more than ${WORKERS_AI_MAX_TEXTS} items`);
      if (spec.pooling && body.pooling !== undefined && body.pooling !== "mean" && body.pooling !== "cls") {
        return schemaError("at '/pooling': must be equal to one of the allowed values");
      }
    } else {
      if (body.contexts === undefined) return schemaError("required properties at '/' are 'contexts'");
      if (typeof body.query !== "string") return schemaError("required properties at '/' are 'query'");
      if (!Array.isArray(body.contexts) || body.contexts.some((c: unknown) => typeof (c as { text?: unknown })?.text !== "string")) {
        return schemaError("at '/contexts': must be array of objects with a string 'text'");
      }
    }
    const marker = markerIn(raw);
    if (marker === "too-long") return failure(400, 5006, "Error: input is longer than the model's maximum context of 512 tokens");
    if (marker === "echo-key") return failure(400, 5006, echoKeyMessage);
    return undefined;
  },

  answer(op, body, { state, wrongDimensions, nonFinite }) {
    const model = op.model!;
    const spec = WORKERS_AI_STAND_IN_MODELS[model];
    if (spec.type === "embedding") {
      const texts: string[] = typeof body.text === "string" ? [body.text] : body.text;
      tally(state.embedded, texts);
      const pooling: Pooling = spec.pooling && body.pooling === "cls" ? "cls" : "mean";
      const data = texts.map((text, i) => {
        const v = workersAiStandInVector(model, text, pooling);
        return vectorJson(wrongDimensions ? v.subarray(0, v.length - 1) : v, false, i === 0 ? nonFinite : undefined);
      });
      const dims = spec.dimensions - (wrongDimensions ? 1 : 0);
      return { status: 200, body: envelope({ shape: [texts.length, dims], data, ...(spec.pooling ? { pooling } : {}) }) };
    }

    const texts: string[] = body.contexts.map((c: { text: string }) => c.text);
    tally(state.reranked, texts);
    let response = texts.map((text, id) => ({ id, score: workersAiRerankScore(body.query, text) })).sort((a, b) => b.score - a.score);
    if (Number.isInteger(body.top_k) && body.top_k > 0) response = response.slice(0, body.top_k);
    const broken = response.map((r, i) => ({ id: r.id, score: scoreJson(r.score, i === 0 ? nonFinite : undefined) }));
    return { status: 200, body: envelope({ response: broken }) };
  },
};

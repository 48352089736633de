// The stand-in upstreams against their wire formats, with plain fetch: what a gateway adapter will
// see from Workers AI, OpenAI-compatible servers and Cohere-shaped rerankers, faults included.
import { describe, expect, inject, it } from "vitest";
import { COHERE_STAND_IN_KEY } from "../upstream/cohere-stand-in";
import { LEAKED_CREDENTIAL } from "../upstream/markers";
import { OPENAI_STAND_IN_KEY, openAiStandInVector } from "../upstream/openai-stand-in";
import { type FormatName, standInBaseURL, type TenantState } from "../upstream/stand-in-server";
import { STAND_IN_API_KEY, standInScore, standInVector } from "../upstream/together-stand-in";
import {
  WORKERS_AI_STAND_IN_ACCOUNT,
  WORKERS_AI_STAND_IN_TOKEN,
  workersAiRerankScore,
  workersAiStandInVector,
} from "../upstream/workers-ai-stand-in";

const upstreamURL = inject("upstreamURL");
const run = Date.now().toString(36);
let counter = 0;

/** A private tenant of the shared stand-in server, with helpers for each format. */
function tenant() {
  const name = `stand-ins-${run}-${counter++}`;
  const base = (format: FormatName) => standInBaseURL(upstreamURL, format, name);
  const control = (path: string, body?: unknown) =>
    fetch(`${upstreamURL}/t/${name}/${path}`, { method: "POST", body: JSON.stringify(body ?? {}) }).then((r) => r.json());
  return {
    base,
    post: (url: string, body: unknown, key: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      }),
    stats: () => control("_stats") as Promise<TenantState>,
    fault: (fault: Record<string, unknown>) => control("_fault", fault),
  };
}

const floats = (v: ArrayLike<number>) => Float32Array.from(v);
const fromBase64 = (b64: string) => new Float32Array(Uint8Array.from(Buffer.from(b64, "base64")).buffer);

describe("Workers AI stand-in", () => {
  const BGE = "@cf/baai/bge-large-en-v1.5";
  const RERANKER = "@cf/baai/bge-reranker-base";
  const runModel = (
    t: ReturnType<typeof tenant>,
    model: string,
    input: unknown,
    token = WORKERS_AI_STAND_IN_TOKEN,
    account = WORKERS_AI_STAND_IN_ACCOUNT,
  ) => t.post(`${t.base("workers-ai")}/accounts/${account}/ai/run/${model}`, input, token);

  it("Should embed in Cloudflare's envelope, and give cls pooling its own vectors", async () => {
    const t = tenant();
    const mean = await runModel(t, BGE, { text: ["New York City", "Paris"] });
    expect(mean.status).toBe(200);
    const body = await mean.json();
    expect(body).toMatchObject({ success: true, errors: [], messages: [], result: { shape: [2, 1024], pooling: "mean" } });
    expect(floats(body.result.data[1])).toEqual(standInVector(BGE, "Paris", 1024));

    const cls = await (await runModel(t, BGE, { text: "Paris", pooling: "cls" })).json();
    expect(cls.result).toMatchObject({ shape: [1, 1024], pooling: "cls" });
    expect(floats(cls.result.data[0])).toEqual(workersAiStandInVector(BGE, "Paris", "cls"));
    expect(floats(cls.result.data[0])).not.toEqual(standInVector(BGE, "Paris", 1024));
    expect((await t.stats()).bodies[1]).toEqual({ text: "Paris", pooling: "cls" });
  });

  it("Should rerank with raw logits, best first, cut to top_k", async () => {
    const t = tenant();
    const contexts = ["llamas live in Peru", "pandas live in China", "the stock market fell"];
    const res = await runModel(t, RERANKER, { query: "animals in Peru", contexts: contexts.map((text) => ({ text })), top_k: 2 });
    const { result } = await res.json();
    const expected = contexts
      .map((text, id) => ({ id, score: workersAiRerankScore("animals in Peru", text) }))
      .sort((a, b) => b.score - a.score);
    expect(result.response).toEqual(expected.slice(0, 2));
    expect(expected.some((r) => r.score < 0)).toBe(true);
  });

  it("Should refuse a bad token with 401 and another account's path with 403, code 10000", async () => {
    const t = tenant();
    const bad = await runModel(t, BGE, { text: "x" }, "wrong-token");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      result: null,
      success: false,
      errors: [{ code: 10000, message: "Authentication error" }],
      messages: [],
    });
    expect((await runModel(t, BGE, { text: "x" }, undefined, "another-account")).status).toBe(403);
  });

  it("Should refuse an unknown model, more than 100 texts and a too-long input with 400", async () => {
    const t = tenant();
    const unknown = await runModel(t, "@cf/nope/embedder", { text: "x" });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors).toEqual([{ code: 5007, message: "No such model @cf/nope/embedder or task" }]);
    const many = await runModel(t, BGE, { text: Array.from({ length: 101 }, (_, i) => `t${i}`) });
    expect(many.status).toBe(400);
    expect((await many.json()).errors[0].code).toBe(5006);
    const long = await runModel(t, BGE, { text: ["fine", "__too_long__"] });
    expect(long.status).toBe(400);
    expect((await long.json()).success).toBe(false);
  });

  it("Should inject a 429 with retry-after, then a null vector value, then answer normally", async () => {
    const t = tenant();
    await t.fault({ kind: "status", status: 429, retryAfter: "7" });
    await t.fault({ kind: "non-finite" });
    const limited = await runModel(t, BGE, { text: "a" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await limited.json()).errors[0].message).toContain("upstream secret detail");
    const broken = await (await runModel(t, BGE, { text: ["a", "b"] })).json();
    expect(broken.result.data[0][0]).toBeNull();
    expect(floats(broken.result.data[1])).toEqual(standInVector(BGE, "b", 1024));
    const fine = await (await runModel(t, BGE, { text: "a" })).json();
    expect(fine.result.data[0][0]).toBeTypeOf("number");
    await t.fault({ kind: "wrong-dimensions" });
    expect((await (await runModel(t, BGE, { text: "a" })).json()).result.shape).toEqual([1, 1023]);
  });
});

describe("OpenAI-compatible stand-in", () => {
  const SMALL = "text-embedding-3-small";
  const embed = (t: ReturnType<typeof tenant>, body: Record<string, unknown>, key = OPENAI_STAND_IN_KEY) =>
    t.post(`${t.base("openai")}/embeddings`, body, key);

  it("Should embed as floats or little-endian float32 base64, with usage", async () => {
    const t = tenant();
    const res = await embed(t, { model: SMALL, input: ["one", "two"] });
    const body = await res.json();
    expect(body).toMatchObject({ object: "list", model: SMALL, usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(body.data.map((d: { object: string; index: number }) => [d.object, d.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
    ]);
    expect(floats(body.data[1].embedding)).toEqual(standInVector(SMALL, "two", 1536));
    const b64 = await (await embed(t, { model: SMALL, input: "two", encoding_format: "base64" })).json();
    expect(fromBase64(b64.data[0].embedding)).toEqual(standInVector(SMALL, "two", 1536));
  });

  it("Should shorten text-embedding-3 vectors to unit length and refuse dimensions for ada-002", async () => {
    const t = tenant();
    const body = await (await embed(t, { model: "text-embedding-3-large", input: "short", dimensions: 256 })).json();
    const v = floats(body.data[0].embedding);
    expect(v).toEqual(openAiStandInVector("text-embedding-3-large", "short", 256));
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    const ada = await embed(t, { model: "text-embedding-ada-002", input: "x", dimensions: 1536 });
    expect(ada.status).toBe(400);
    expect((await ada.json()).error.message).toBe("This model does not support specifying dimensions.");
  });

  it("Should refuse a wrong key with OpenAI's 401 and never quote the key whole", async () => {
    const t = tenant();
    const res = await embed(t, { model: SMALL, input: "x" }, "sk-wrong-key-0000000000001234");
    expect(res.status).toBe(401);
    const { error } = await res.json();
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
    expect(error.message).not.toContain("sk-wrong-key-0000000000001234");
    expect((await embed(t, { model: SMALL, input: "x" }, "")).status).toBe(401); // no Authorization header
  });

  it("Should answer an unknown model with 404 model_not_found and refuse 2049 inputs", async () => {
    const t = tenant();
    const res = await embed(t, { model: "text-embedding-4-huge", input: "x" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: "The model `text-embedding-4-huge` does not exist or you do not have access to it.",
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      },
    });
    expect((await embed(t, { model: SMALL, input: Array.from({ length: 2049 }, (_, i) => `i${i}`) })).status).toBe(400);
  });

  it("Should refuse __too_long__ with the context-length 400 and echo a credential for __echo_key__", async () => {
    const t = tenant();
    const long = await embed(t, { model: SMALL, input: ["ok", "x __too_long__"] });
    expect(long.status).toBe(400);
    expect((await long.json()).error.message).toMatch(/^This model's maximum context length is 8192 tokens/);
    const echo = await embed(t, { model: SMALL, input: "__echo_key__" });
    expect(echo.status).toBe(400);
    expect((await echo.json()).error.message).toContain(LEAKED_CREDENTIAL);
  });

  it("Should break a float vector with a bare NaN token, a base64 one with NaN bits, and truncate on malformed", async () => {
    const t = tenant();
    await t.fault({ kind: "non-finite", value: "NaN" });
    const text = await (await embed(t, { model: SMALL, input: "nan" })).text();
    expect(text).toContain('"embedding":[NaN,');
    expect(() => JSON.parse(text)).toThrow();
    await t.fault({ kind: "non-finite", value: "Infinity" });
    const b64 = await (await embed(t, { model: SMALL, input: "inf", encoding_format: "base64" })).json();
    expect(fromBase64(b64.data[0].embedding)[0]).toBe(Infinity);
    await t.fault({ kind: "malformed" });
    const cut = await embed(t, { model: SMALL, input: "cut" });
    expect(cut.status).toBe(200);
    await expect(cut.json()).rejects.toThrow();
  });
});

describe("Cohere-shaped rerank stand-in", () => {
  const MODEL = "rerank-v3.5";
  const rerank = (t: ReturnType<typeof tenant>, body: Record<string, unknown>, key = COHERE_STAND_IN_KEY) =>
    t.post(`${t.base("cohere")}/rerank`, body, key);
  const DOCS = [
    "Carson City is the capital of Nevada.",
    "Washington, D.C. is the capital of the United States.",
    "Capital punishment is old.",
  ];
  const QUERY = "What is the capital of the United States?";

  it("Should rank best first with scores in [0, 1) and Cohere's meta", async () => {
    const t = tenant();
    const body = await (await rerank(t, { model: MODEL, query: QUERY, documents: DOCS, top_n: 2 })).json();
    const expected = DOCS.map((d, index) => ({ index, relevance_score: standInScore(QUERY, d) })).sort(
      (a, b) => b.relevance_score - a.relevance_score,
    );
    expect(body.results).toEqual(expected.slice(0, 2));
    expect(body.meta).toEqual({ api_version: { version: "2" }, billed_units: { search_units: 1 } });
    expect(body.id).toBeTypeOf("string");
  });

  it("Should refuse a bad key with 401, an unknown model with 404 and an unknown field with 422", async () => {
    const t = tenant();
    const bad = await rerank(t, { model: MODEL, query: QUERY, documents: DOCS }, "nope");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: "invalid api token" });
    const unknown = await rerank(t, { model: "rerank-v9", query: QUERY, documents: DOCS });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).message).toMatch(/^model 'rerank-v9' not found/);
    const extra = await rerank(t, { model: MODEL, query: QUERY, documents: DOCS, return_documents: false });
    expect(extra.status).toBe(422);
  });

  it("Should refuse __too_long__ with a 400 message", async () => {
    const t = tenant();
    const res = await rerank(t, { model: MODEL, query: "__too_long__", documents: DOCS });
    expect(res.status).toBe(400);
    expect(Object.keys(await res.json())).toEqual(["message"]);
  });

  it("Should inject a 503 in Cohere's shape, reset a connection, and null the best score", async () => {
    const t = tenant();
    await t.fault({ kind: "status", status: 503 });
    await t.fault({ kind: "reset" });
    await t.fault({ kind: "non-finite" });
    const unavailable = await rerank(t, { model: MODEL, query: QUERY, documents: DOCS });
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({ message: "injected 503 (upstream secret detail)" });
    await expect(rerank(t, { model: MODEL, query: QUERY, documents: DOCS })).rejects.toThrow();
    const broken = await (await rerank(t, { model: MODEL, query: QUERY, documents: DOCS })).json();
    expect(broken.results[0].relevance_score).toBeNull();
    expect(broken.results[1].relevance_score).toBeTypeOf("number");
  });
});

describe("one server for every format", () => {
  it("Should count calls per format, keep Together's counters to Together, and tag each body", async () => {
    const t = tenant();
    await t.post(`${t.base("together")}/embeddings`, { model: "test/tiny-embed", input: "t" }, STAND_IN_API_KEY);
    await t.post(
      `${t.base("workers-ai")}/accounts/${WORKERS_AI_STAND_IN_ACCOUNT}/ai/run/@cf/baai/bge-small-en-v1.5`,
      { text: ["w"] },
      WORKERS_AI_STAND_IN_TOKEN,
    );
    await t.post(`${t.base("openai")}/embeddings`, { model: "text-embedding-3-small", input: "o" }, OPENAI_STAND_IN_KEY);
    await t.post(`${t.base("cohere")}/rerank`, { model: "rerank-v3.5", query: "q", documents: ["c"] }, COHERE_STAND_IN_KEY);
    await t.post(`${t.base("cohere")}/rerank`, { model: "rerank-v3.5", query: "q", documents: ["c"] }, "wrong");
    const stats = await t.stats();
    expect(stats.calls).toEqual({ embeddings: 1, rerank: 0, "workers-ai": 1, openai: 1, cohere: 1 });
    expect(stats.bodyFormats).toEqual(["together", "workers-ai", "openai", "cohere"]);
    expect(stats.embedded).toEqual({ t: 1, w: 1, o: 1 });
    expect(stats.reranked).toEqual({ c: 1 });
    expect(stats.authHeaders.at(-1)).toBe("Bearer wrong");
  });

  it("Should apply queued faults to whichever format the next requests hit", async () => {
    const t = tenant();
    await t.fault({ kind: "html", times: 2 });
    const workersAi = await t.post(
      `${t.base("workers-ai")}/accounts/${WORKERS_AI_STAND_IN_ACCOUNT}/ai/run/@cf/baai/bge-m3`,
      { text: "x" },
      WORKERS_AI_STAND_IN_TOKEN,
    );
    const together = await t.post(
      `${t.base("together")}/rerank`,
      { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["d"] },
      STAND_IN_API_KEY,
    );
    for (const res of [workersAi, together]) expect(res.headers.get("content-type")).toBe("text/html");
    await t.fault({ kind: "timeout" });
    const slow = fetch(`${t.base("openai")}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPENAI_STAND_IN_KEY}` },
      body: JSON.stringify({ model: "text-embedding-3-small", input: "slow" }),
      signal: AbortSignal.timeout(300),
    });
    await expect(slow).rejects.toMatchObject({ name: "TimeoutError" });
  });
});

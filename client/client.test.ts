// The browser client's behaviour in Node, against a small local server that scripts answers.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosine, createClient, decodeVector, EmbedEdgeError, topK } from "./index";

type Script = (req: IncomingMessage, body: any, res: ServerResponse) => void | Promise<void>;
let script: Script[] = [];
let seen: Array<{ auth?: string; body: any }> = [];
let url = "";
const server = createServer(async (req, res) => {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw || "{}");
  seen.push({ auth: req.headers.authorization, body });
  const step = script.shift() ?? answer;
  await step(req, body, res);
});
const b64 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString("base64");
/** Answers embeddings with [n, n] for input "t<n>", out of order, like a real server may. */
const answer: Script = (_req, body, res) => {
  res.setHeader("content-type", "application/json");
  const data = body.input.map((t: string, index: number) => ({ object: "embedding", index, embedding: b64([Number(t.slice(1)), Number(t.slice(1))]) }));
  res.end(JSON.stringify({ object: "list", data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } }));
};
const status = (code: number, headers: Record<string, string> = {}, error = { message: "nope", code: "some_code" }): Script => (_q, _b, res) => {
  res.writeHead(code, { "content-type": "application/json", "x-request-id": "req-123", ...headers });
  res.end(JSON.stringify({ error }));
};

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
const reset = () => ((script = []), (seen = []));

describe("decoding and helpers", () => {
  it("Should decode little-endian float32 base64 exactly", () => {
    expect(decodeVector(b64([0.5, -1.25, 3]))).toEqual(new Float32Array([0.5, -1.25, 3]));
  });
  it("Should compute cosine similarity and rank with topK", () => {
    expect(cosine([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosine([1, 0], [0, 1])).toBeCloseTo(0);
    expect(topK([1, 0], [[0, 1], [1, 0.1], [-1, 0]], 2).map((r) => r.index)).toEqual([1, 0]);
  });
});

describe("requests", () => {
  it("Should ask for base64, send the token and return vectors in input order", async () => {
    reset();
    const client = createClient({ baseURL: url, token: "tok-1", model: "m" });
    const vectors = await client.embed(["t1", "t2", "t3"]);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3]);
    expect(seen[0]).toEqual({ auth: "Bearer tok-1", body: { model: "m", input: ["t1", "t2", "t3"], encoding_format: "base64" } });
    expect((await client.embed("t7"))[0]).toBe(7);
  });

  it("Should retry 429 and 503 honouring retry-after, then succeed", async () => {
    reset();
    script = [status(429, { "retry-after": "0" }), status(503, { "retry-after": "0" })];
    const vectors = await createClient({ baseURL: url, retries: 2 }).embed(["t5"]);
    expect(vectors[0][0]).toBe(5);
    expect(seen).toHaveLength(3);
  });

  it("Should wait as long as retry-after says", async () => {
    reset();
    script = [status(429, { "retry-after": "1" })];
    const started = Date.now();
    await createClient({ baseURL: url }).embed("t1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("Should give up after the retries with a typed error carrying status, code, request id and retry-after", async () => {
    reset();
    script = [status(429, { "retry-after": "0" }), status(429, { "retry-after": "0" })];
    const error = await createClient({ baseURL: url, retries: 1 }).embed("t1").catch((e) => e);
    expect(error).toBeInstanceOf(EmbedEdgeError);
    expect(error).toMatchObject({ status: 429, code: "some_code", requestId: "req-123", retryAfter: 0, message: "nope" });
    expect(seen).toHaveLength(2);
  });

  it("Should not retry a 400", async () => {
    reset();
    script = [status(400)];
    await expect(createClient({ baseURL: url }).embed("t1")).rejects.toMatchObject({ status: 400 });
    expect(seen).toHaveLength(1);
  });

  it("Should call the token function again once after a 401 and retry", async () => {
    reset();
    script = [status(401)];
    let calls = 0;
    const client = createClient({ baseURL: url, token: async () => `fresh-${++calls}` });
    await client.embed("t1");
    expect(seen.map((s) => s.auth)).toEqual(["Bearer fresh-1", "Bearer fresh-2"]);
    script = [status(401), status(401)];
    await expect(client.embed("t1")).rejects.toMatchObject({ status: 401 });
  });

  it("Should time out an attempt that never answers", async () => {
    reset();
    script = [() => {}];
    const error = await createClient({ baseURL: url, timeout: 200, retries: 0 }).embed("t1").catch((e) => e);
    expect(error).toMatchObject({ name: "EmbedEdgeError", code: "timeout" });
  });

  it("Should stop at once when the caller aborts, without retrying", async () => {
    reset();
    script = [() => {}];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(createClient({ baseURL: url }).embed("t1", { signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
  });

  it("Should report a refused connection as a network error after retrying", async () => {
    const error = await createClient({ baseURL: "http://127.0.0.1:1", retries: 1 }).embed("t1").catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
  });
});

describe("embedMany", () => {
  it("Should split into batches, bound concurrency, report progress and keep input order", async () => {
    reset();
    let inFlight = 0, maxInFlight = 0;
    const slow: Script = async (req, body, res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 30 + (body.input.length % 3) * 20));
      inFlight--;
      answer(req, body, res);
    };
    script = Array.from({ length: 10 }, () => slow);
    const texts = Array.from({ length: 23 }, (_, i) => `t${i}`);
    const progress: number[] = [];
    const vectors = await createClient({ baseURL: url }).embedMany(texts, { batchSize: 5, concurrency: 2, onProgress: (done, total) => (expect(total).toBe(23), progress.push(done)) });
    expect(vectors.map((v) => v[0])).toEqual(texts.map((_, i) => i));
    expect(seen.map((s) => s.body.input.length).sort()).toEqual([3, 5, 5, 5, 5]);
    expect(maxInFlight).toBe(2);
    expect(progress.at(-1)).toBe(23);
  });
});

describe("rerank", () => {
  it("Should send top_n and return_documents and map results", async () => {
    reset();
    script = [(_q, _b, res) => res.end(JSON.stringify({ results: [{ index: 1, relevance_score: 0.9, document: { text: "b" } }, { index: 0, relevance_score: 0.1, document: { text: "a" } }] }))];
    const results = await createClient({ baseURL: `${url}/v1`, rerankModel: "r" }).rerank("q", ["a", "b"], { topN: 2, returnDocuments: true });
    expect(results).toEqual([{ index: 1, score: 0.9, document: "b" }, { index: 0, score: 0.1, document: "a" }]);
    expect(seen[0].body).toEqual({ model: "r", query: "q", documents: ["a", "b"], top_n: 2, return_documents: true });
  });
});

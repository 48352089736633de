// The browser client's behaviour in Node: against a small local server that scripts answers, and,
// where a real socket adds nothing, against a fake `fetch` (the client's only edge, injectable).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cosine, createClient, decodeVector, EmbedEdgeError, isEmbedEdgeError, type ResponseInfo, topK } from "./index";
import { parseRetryAfter } from "./retry";

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
  const data = body.input.map((t: string, index: number) => ({
    object: "embedding",
    index,
    embedding: b64([Number(t.slice(1)), Number(t.slice(1))]),
  }));
  res.end(JSON.stringify({ object: "list", data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } }));
};
const status =
  (code: number, headers: Record<string, string> = {}, error = { message: "nope", code: "some_code" }): Script =>
  (_q, _b, res) => {
    res.writeHead(code, { "content-type": "application/json", "x-request-id": "req-123", ...headers });
    res.end(JSON.stringify({ error }));
  };

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});
const reset = () => {
  script = [];
  seen = [];
};

describe("decoding and helpers", () => {
  it("Should decode little-endian float32 base64 exactly", () => {
    expect(decodeVector(b64([0.5, -1.25, 3]))).toEqual(new Float32Array([0.5, -1.25, 3]));
  });
  it("Should compute cosine similarity and rank with topK", () => {
    expect(cosine([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosine([1, 0], [0, 1])).toBeCloseTo(0);
    expect(
      topK(
        [1, 0],
        [
          [0, 1],
          [1, 0.1],
          [-1, 0],
        ],
        2,
      ).map((r) => r.index),
    ).toEqual([1, 0]);
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
    const error = await createClient({ baseURL: url, retries: 1 })
      .embed("t1")
      .catch((e) => e);
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
    const error = await createClient({ baseURL: url, timeout: 200, retries: 0 })
      .embed("t1")
      .catch((e) => e);
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
    const error = await createClient({ baseURL: "http://127.0.0.1:1", retries: 1 })
      .embed("t1")
      .catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
  });
});

describe("embedMany", () => {
  it("Should split into batches, bound concurrency, report progress and keep input order", async () => {
    reset();
    let inFlight = 0,
      maxInFlight = 0;
    const slow: Script = async (req, body, res) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 30 + (body.input.length % 3) * 20));
      inFlight--;
      answer(req, body, res);
    };
    script = Array.from({ length: 10 }, () => slow);
    const texts = Array.from({ length: 23 }, (_, i) => `t${i}`);
    const progress: number[] = [];
    const vectors = await createClient({ baseURL: url }).embedMany(texts, {
      batchSize: 5,
      concurrency: 2,
      onProgress: (done, total) => {
        expect(total).toBe(23);
        progress.push(done);
      },
    });
    expect(vectors.map((v) => v[0])).toEqual(texts.map((_, i) => i));
    expect(seen.map((s) => s.body.input.length).sort()).toEqual([3, 5, 5, 5, 5]);
    expect(maxInFlight).toBe(2);
    expect(progress.at(-1)).toBe(23);
  });
});

describe("rerank", () => {
  it("Should send top_n and return_documents and map results", async () => {
    reset();
    script = [
      (_q, _b, res) =>
        void res.end(
          JSON.stringify({
            results: [
              { index: 1, relevance_score: 0.9, document: { text: "b" } },
              { index: 0, relevance_score: 0.1, document: { text: "a" } },
            ],
          }),
        ),
    ];
    const results = await createClient({ baseURL: `${url}/v1`, rerankModel: "r" }).rerank("q", ["a", "b"], {
      topN: 2,
      returnDocuments: true,
    });
    expect(results).toEqual([
      { index: 1, score: 0.9, document: "b" },
      { index: 0, score: 0.1, document: "a" },
    ]);
    expect(seen[0].body).toEqual({ model: "r", query: "q", documents: ["a", "b"], top_n: 2, return_documents: true });
  });
});

// ---- Against a fake fetch -------------------------------------------------------------------------

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "x-request-id": "req-9", ...headers } });
/** Embeddings for inputs "t<n>" as [n], like `answer` above. */
const embeddings: Handler = (_url, init) => {
  const { input } = JSON.parse(String(init.body)) as { input: string[] };
  return json({ data: input.map((t, index) => ({ index, embedding: b64([Number(t.slice(1))]) })) });
};
/** Never answers; rejects with the signal's reason once it aborts, as fetch does. */
const hang: Handler = (_url, init) => new Promise((_, fail) => init.signal!.addEventListener("abort", () => fail(init.signal!.reason)));
/** Answers with `handlers` in turn, then with embeddings; records every call. */
function fakeFetch(...handlers: Handler[]) {
  const calls: Array<{ url: string; init: RequestInit; auth?: string }> = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, init, auth: (init.headers as Record<string, string>).authorization });
    return (handlers.shift() ?? embeddings)(url, init);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}
const client = (fetch: typeof globalThis.fetch, options: Partial<Parameters<typeof createClient>[0]> = {}) =>
  createClient({ baseURL: "https://gw.example", model: "m", fetch, ...options });
/** A JWT (unsigned: the client only reads `exp`) whose payload needs base64url's "-" and "_". */
const jwt = (exp: number) => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: "~~~?", exp })).toString("base64url")}.sig`;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("retry-after", () => {
  it("Should read retry-after as seconds or an HTTP date, and never as NaN", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3);
    expect(parseRetryAfter("1.5", now)).toBe(1.5);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:07 GMT", now)).toBe(7);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    for (const odd of ["", "-1", "1.2.3", "NaN", "Infinity"]) expect(parseRetryAfter(odd, now)).not.toBeNaN();
  });

  it("Should fail at once with retryAfter instead of waiting longer than maxRetryAfter", async () => {
    const later = new Date(Date.now() + 60_000).toUTCString();
    const { fetch, calls } = fakeFetch(() =>
      json({ error: { message: "slow down", code: "rate_limit_exceeded" } }, 429, { "retry-after": later }),
    );
    const started = Date.now();
    const error = await client(fetch)
      .embed("t1")
      .catch((e) => e);
    expect(Date.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", requestId: "req-9" });
    expect(error.retryAfter).toBeGreaterThan(58);
    expect(calls).toHaveLength(1);

    const capped = fakeFetch(() => json({}, 503, { "retry-after": "2" }));
    await expect(client(capped.fetch, { maxRetryAfter: 1000 }).embed("t1")).rejects.toMatchObject({ status: 503, retryAfter: 2 });
    expect(capped.calls).toHaveLength(1);
  });

  it("Should back off on its own when retry-after is unreadable", async () => {
    const { fetch, calls } = fakeFetch(() => json({}, 503, { "retry-after": "soon" }));
    expect((await client(fetch).embed("t4"))[0]).toBe(4);
    expect(calls).toHaveLength(2);
  });
});

describe("embedMany failures", () => {
  it("Should stop sending batches once one fails, reject once with that error and abort the batches in flight", async () => {
    const { fetch, calls } = fakeFetch(hang, () => json({ error: { message: "bad input", code: "invalid_request" } }, 400));
    const progress: number[] = [];
    const texts = ["t0", "t1", "t2", "t3", "t4", "t5"];
    const error = await client(fetch)
      .embedMany(texts, { batchSize: 1, concurrency: 2, onProgress: (done) => progress.push(done) })
      .catch((e) => e);
    expect(error).toMatchObject({ name: "EmbedEdgeError", status: 400, code: "invalid_request" });
    expect(calls).toHaveLength(2);
    expect(calls[0].init.signal!.aborted).toBe(true);
    expect(progress).toEqual([]);
  });
});

describe("unexpected answers", () => {
  it("Should report a 200 that is not JSON as bad_response, not a SyntaxError", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("<!doctype html><p>app shell</p>", { headers: { "x-request-id": "req-html" } }));
    const error = await client(fetch)
      .embed("t1")
      .catch((e) => e);
    expect(error).toBeInstanceOf(EmbedEdgeError);
    expect(error).toMatchObject({ status: 200, code: "bad_response", requestId: "req-html" });
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(calls).toHaveLength(1);
  });

  it("Should report JSON of the wrong shape as bad_response", async () => {
    const wrong: Array<[Handler, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
      [() => json({ object: "list" }), (c) => c.embed("t1")],
      [() => json({ data: [{ index: 0, embedding: b64([1]) }] }), (c) => c.embed(["t1", "t2"])],
      [() => json({ data: [{ index: 5, embedding: b64([1]) }] }), (c) => c.embed(["t1"])],
      [() => json({ data: [{ index: 0, embedding: Buffer.from([1, 2, 3]).toString("base64") }] }), (c) => c.embed("t1")],
      [() => json(null), (c) => c.embed("t1")],
      [() => json({ results: "none" }), (c) => c.rerank("q", ["a"])],
    ];
    for (const [answer, run] of wrong)
      await expect(run(client(fakeFetch(answer).fetch))).rejects.toMatchObject({ code: "bad_response", status: 200 });
  });

  it("Should keep the gateway's message and code for an error answer, and the status when the body is not JSON", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 400 }));
    await expect(client(fetch).embed("t1")).rejects.toMatchObject({ status: 400, code: "http_error", message: "HTTP 400" });
  });
});

describe("tokens", () => {
  it("Should reuse a JWT from the token function until shortly before its exp, then fetch a new one", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const exp = Math.floor(Date.now() / 1000) + 600;
    let calls = 0;
    const { fetch, calls: requests } = fakeFetch();
    const c = client(fetch, {
      token: () => {
        calls++;
        return jwt(exp);
      },
    });
    await c.embed("t1");
    await c.embed("t2");
    vi.setSystemTime((exp - 40) * 1000);
    await c.embed("t3");
    expect(calls).toBe(1);
    vi.setSystemTime((exp - 20) * 1000);
    await c.embed("t4");
    expect(calls).toBe(2);
    expect(requests.every((r) => r.auth === `Bearer ${jwt(exp)}`)).toBe(true);
  });

  it("Should reuse a server key from the token function for the client's life and renew it once after a 401", async () => {
    let calls = 0;
    const { fetch, calls: requests } = fakeFetch(embeddings, embeddings, () => json({}, 401));
    const c = client(fetch, { token: async () => `key-${++calls}` });
    await c.embed("t1");
    await c.embed("t2");
    await c.embed("t3");
    await c.embed("t4");
    expect(requests.map((r) => r.auth)).toEqual(["Bearer key-1", "Bearer key-1", "Bearer key-1", "Bearer key-2", "Bearer key-2"]);
    expect(calls).toBe(2);
  });

  it("Should share one token call between concurrent requests, also when they are all refused", async () => {
    let calls = 0;
    const token = () => new Promise<string>((r) => setTimeout(() => r(`key-${++calls}`), 10));
    const refused = () => json({}, 401);
    const { fetch, calls: requests } = fakeFetch(refused, refused, refused);
    const vectors = await client(fetch, { token }).embedMany(["t1", "t2", "t3"], { batchSize: 1, concurrency: 3 });
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
    expect(requests.slice(3).map((r) => r.auth)).toEqual(["Bearer key-2", "Bearer key-2", "Bearer key-2"]);
  });

  it("Should send a plain string token as is and not retry its 401", async () => {
    const { fetch, calls } = fakeFetch(() => json({ error: { message: "expired", code: "token_expired" } }, 401));
    await expect(client(fetch, { token: "tok-static" }).embed("t1")).rejects.toMatchObject({ status: 401, code: "token_expired" });
    expect(calls.map((c) => c.auth)).toEqual(["Bearer tok-static"]);
  });

  it("Should not keep a token call that failed", async () => {
    let calls = 0;
    const c = client(fakeFetch().fetch, { token: async () => (++calls === 1 ? Promise.reject(new Error("backend down")) : "key") });
    await expect(c.embed("t1")).rejects.toThrow("backend down");
    expect((await c.embed("t2"))[0]).toBe(2);
  });
});

describe("network errors in a browser", () => {
  const offline: Handler = () => Promise.reject(new TypeError("Failed to fetch"));

  it("Should name the page's origin and ALLOWED_ORIGINS when a cross-origin call fails", async () => {
    vi.stubGlobal("location", new URL("http://localhost:5173/app"));
    const error = await client(fakeFetch(offline).fetch, { retries: 0 })
      .embed("t1")
      .catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
    expect(error.message).toContain("http://localhost:5173");
    expect(error.message).toContain("ALLOWED_ORIGINS");
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("Should not blame CORS for a same-origin call or outside a browser", async () => {
    const sameOrigin = await client(fakeFetch(offline).fetch, { retries: 0, baseURL: "http://localhost:5173" })
      .embed("t1")
      .catch((e) => e);
    vi.stubGlobal("location", new URL("http://localhost:5173/app"));
    const inPage = await client(fakeFetch(offline).fetch, { retries: 0, baseURL: "http://localhost:5173" })
      .embed("t1")
      .catch((e) => e);
    for (const error of [sameOrigin, inPage]) expect(error.message).not.toContain("ALLOWED_ORIGINS");
  });
});

describe("errors and cleanup", () => {
  it("Should build EmbedEdgeError from options with a cause and recognise it, also from another copy of the client", () => {
    const cause = new Error("socket hang up");
    const error = new EmbedEdgeError("Too many requests", {
      status: 429,
      code: "rate_limit_exceeded",
      requestId: "r-1",
      retryAfter: 3,
      cause,
    });
    expect(error).toMatchObject({
      name: "EmbedEdgeError",
      message: "Too many requests",
      status: 429,
      code: "rate_limit_exceeded",
      requestId: "r-1",
      retryAfter: 3,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(isEmbedEdgeError(error)).toBe(true);
    expect(isEmbedEdgeError(Object.assign(new Error("from the other bundle"), { name: "EmbedEdgeError" }))).toBe(true);
    for (const other of [new Error("x"), null, undefined, "EmbedEdgeError"]) expect(isEmbedEdgeError(other)).toBe(false);
  });

  it("Should leave no abort listener on the caller's signal after retry sleeps", async () => {
    const signal = new AbortController().signal;
    let added = 0,
      removed = 0;
    const add = signal.addEventListener.bind(signal),
      remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    const busy = () => json({}, 503, { "retry-after": "0" });
    const { fetch, calls } = fakeFetch(busy, busy);
    expect((await client(fetch).embed("t6", { signal }))[0]).toBe(6);
    expect(calls).toHaveLength(3);
    expect(added).toBe(2);
    expect(removed).toBe(added);
  });

  it("Should report every response's status, headers and latency to onResponse", async () => {
    const seen: ResponseInfo[] = [];
    const { fetch } = fakeFetch(
      () => json({}, 503, { "retry-after": "0" }),
      async (url, init) => {
        await new Promise((r) => setTimeout(r, 20));
        const res = await embeddings(url, init);
        for (const [k, v] of Object.entries({ "x-cache": "PARTIAL", "x-cache-hits": "1", "x-cache-misses": "1", "x-provider": "together" }))
          res.headers.set(k, v);
        return res;
      },
    );
    await client(fetch, { onResponse: (info) => seen.push(info) }).embed(["t1", "t2"]);
    expect(seen.map((s) => [s.url, s.status])).toEqual([
      ["https://gw.example/v1/embeddings", 503],
      ["https://gw.example/v1/embeddings", 200],
    ]);
    expect(Object.fromEntries(["x-cache", "x-cache-hits", "x-cache-misses", "x-provider"].map((h) => [h, seen[1].headers.get(h)]))).toEqual(
      { "x-cache": "PARTIAL", "x-cache-hits": "1", "x-cache-misses": "1", "x-provider": "together" },
    );
    expect(seen[1].ms).toBeGreaterThanOrEqual(15);
  });
});

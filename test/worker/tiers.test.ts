import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import app from "../../worker/index";
import { bm25Scores } from "../../worker/providers/local/bm25";
import { gateway } from "./gateway";

const MODEL = "BAAI/bge-large-en-v1.5";

describe("cache tiers: memory, store, and the store deadline", () => {
  it("Should answer a repeat from the isolate's memory with no store read, and say so per tier", async () => {
    const gw = gateway();
    await gw.post("/v1/embeddings", { model: MODEL, input: ["tier a", "tier b"] });
    const again = await gw.post("/v1/embeddings", { model: MODEL, input: ["tier a", "tier b", "tier a"] });
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.headers.get("x-cache-hits")).toBe("2");
    expect(again.headers.get("x-cache-breakdown")).toBe("memory=2, store=0");
    expect(again.headers.get("server-timing") ?? "").not.toContain("store-read");
  });

  it("Should report store reads, upstream calls and store writes in Server-Timing", async () => {
    const gw = gateway({ MEMORY_CACHE_BYTES: "0" });
    const miss = await gw.post("/v1/embeddings", { model: MODEL, input: ["timed a", "timed b"] });
    const timing = miss.headers.get("server-timing") ?? "";
    expect(timing).toMatch(/store-read;dur=[\d.]+;desc="2 keys"/);
    expect(timing).toMatch(/upstream;dur=[\d.]+;desc="1 calls"/);
    expect(timing).toContain('store-write;desc="2 keys"');
    const hit = await gw.post("/v1/embeddings", { model: MODEL, input: ["timed a"] });
    expect(hit.headers.get("x-cache-breakdown")).toBe("memory=0, store=1");
    expect(hit.headers.get("server-timing") ?? "").not.toContain("upstream");
  });

  it("Should keep Cache-Control: no-store answers out of memory too", async () => {
    const gw = gateway();
    await gw.post("/v1/embeddings", { model: MODEL, input: "private" }, { "cache-control": "no-store" });
    expect((await gw.post("/v1/embeddings", { model: MODEL, input: "private" })).headers.get("x-cache")).toBe("MISS");
  });

  it("Should not hold a store hit behind a slow upstream call started at the deadline", async () => {
    const gw = gateway({ MEMORY_CACHE_BYTES: "0", STORE_READ_DEADLINE_MS: "0" });
    await gw.post("/v1/embeddings", { model: MODEL, input: "stored early" });
    await gw.fault({ kind: "delay", ms: 3000 });
    const ctx = createExecutionContext();
    const started = Date.now();
    const body = JSON.stringify({ model: MODEL, input: "stored early" });
    const res = await app.fetch(
      new Request("https://gateway.test/v1/embeddings", {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "cf-connecting-ip": gw.tenant },
      }),
      gw.env,
      ctx,
    );
    const waited = Date.now() - started;
    expect(res.headers.get("x-cache")).toBe("HIT");
    expect(res.headers.get("x-cache-breakdown")).toBe("memory=0, store=1");
    // The upstream call (3 s) was made, but the answer did not wait for it.
    expect(waited).toBeLessThan(2500);
    await waitOnExecutionContext(ctx);
    expect((await gw.stats()).calls.embeddings).toBe(2);
  });

  it("Should count memory hits and late misses apart when the deadline passes", async () => {
    const gw = gateway({ STORE_READ_DEADLINE_MS: "0" });
    await gw.post("/v1/embeddings", { model: MODEL, input: "in memory" });
    const res = await gw.post("/v1/embeddings", { model: MODEL, input: ["in memory", "brand new"] });
    expect(res.headers.get("x-cache")).toBe("PARTIAL");
    expect(res.headers.get("x-cache-hits")).toBe("1");
    expect(res.headers.get("x-cache-misses")).toBe("1");
    expect(res.headers.get("x-cache-breakdown")).toBe("memory=1, store=0");
  });

  it("Should make one upstream call per miss when the deadline passes before the store answers", async () => {
    const gw = gateway({ MEMORY_CACHE_BYTES: "0", STORE_READ_DEADLINE_MS: "0" });
    const res = await gw.post("/v1/embeddings", { model: MODEL, input: ["never seen 1", "never seen 2"] });
    expect(res.headers.get("x-cache")).toBe("MISS");
    expect((await gw.stats()).calls.embeddings).toBe(1);
    expect((await gw.post("/v1/embeddings", { model: MODEL, input: ["never seen 1"] })).headers.get("x-cache")).toBe("HIT");
  });
});

describe("request logging: one line where it is worth its cost", () => {
  const infoLines = (spy: { mock: { calls: unknown[][] } }) =>
    spy.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith("{") && JSON.parse(line).level === "info");

  it("Should log a miss (it called an upstream) but not a cache hit or a validation refusal, by default", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const gw = gateway();
    await gw.post("/v1/embeddings", { model: MODEL, input: "logged once" });
    await gw.post("/v1/embeddings", { model: MODEL, input: "logged once" });
    await gw.post("/v1/embeddings", { model: MODEL });
    const lines = infoLines(log).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, cache: "MISS", provider: "together" });
    log.mockRestore();
  });

  it("Should log every request with LOG_REQUESTS=all, and none with none", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const all = gateway({ LOG_REQUESTS: "all" });
    await all.post("/v1/embeddings", { model: MODEL, input: "every line" });
    await all.post("/v1/embeddings", { model: MODEL, input: "every line" });
    expect(infoLines(log)).toHaveLength(2);
    log.mockClear();
    const none = gateway({ LOG_REQUESTS: "none" });
    await none.post("/v1/embeddings", { model: MODEL, input: "no line" });
    expect(infoLines(log)).toHaveLength(0);
    log.mockRestore();
  });
});

describe("review fixes: sharing, budgets and whole-request scores", () => {
  it("Should share one upstream call between identical misses even when the store deadline has passed", async () => {
    const gw = gateway({ MEMORY_CACHE_BYTES: "0", STORE_READ_DEADLINE_MS: "0" });
    await gw.fault({ kind: "delay", ms: 150 });
    const answers = await Promise.all([1, 2, 3].map(() => gw.post("/v1/embeddings", { model: MODEL, input: "same new text" })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await gw.stats()).calls.embeddings).toBe(1);
  });

  it("Should keep one request's store writes within KV's per-invocation budget", async () => {
    const gw = gateway({ MODELS: "", LOCAL_PROVIDER: "on", MEMORY_CACHE_BYTES: "0" });
    const input = Array.from({ length: 1000 }, (_, i) => `budget text ${i}`);
    const res = await gw.post("/v1/embeddings", { model: "local/lexical-embed", input, encoding_format: "base64" });
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toContain('store-write;desc="900 keys"');
  });

  it("Should give BM25 every document of the request, duplicates included, in one call", async () => {
    const gw = gateway({ MODELS: "", LOCAL_PROVIDER: "on" });
    const documents = ["cat sat", "cat sat", "dog"];
    const body = (await (await gw.post("/v1/rerank", { model: "local/bm25-rerank", query: "cat", documents })).json()) as any;
    const expected = bm25Scores("cat", documents);
    for (const r of body.results) expect(r.relevance_score).toBe(expected[r.index]);
  });
});

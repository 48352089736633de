// Collections search through the client against a small scripted server: request shape, typed
// results, retries and errors as the core client's.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withCollections } from "./collections";
import { createClient, EmbedEdgeError } from "./index";

const answers: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
const seen: Array<{ url: string; body: any }> = [];
let url = "";
const server = createServer(async (req, res) => {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  seen.push({ url: req.url!, body: JSON.parse(raw) });
  const next = answers.shift()!;
  res.writeHead(next.status, { "content-type": "application/json", ...next.headers }).end(JSON.stringify(next.body));
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe("search", () => {
  it("Should post the query in the gateway's shape and return typed results, retrying a 503", async () => {
    const ee = withCollections(createClient({ baseURL: url, token: "k" }));
    answers.push({ status: 503, body: { error: { message: "busy", code: "x" } }, headers: { "retry-after": "0" } });
    answers.push({
      status: 200,
      body: { object: "list", model: "m", data: [{ id: "a", score: 0.9, rerank_score: 0.8, text: "A", metadata: { k: 1 } }], usage: {} },
    });
    const hits = await ee.search<{ k: number }>("my docs", "q", {
      topK: 3,
      filter: { k: 1 },
      include: ["text", "metadata"],
      rerank: { model: "r", topN: 1, rankFields: ["text"] },
    });
    expect(hits).toEqual([{ id: "a", score: 0.9, rerankScore: 0.8, text: "A", metadata: { k: 1 } }]);
    expect(seen.at(-1)).toEqual({
      url: "/v1/collections/my%20docs/query",
      body: {
        query: "q",
        top_k: 3,
        filter: { k: 1 },
        include: ["text", "metadata"],
        rerank: { model: "r", top_n: 1, rank_fields: ["text"] },
      },
    });
    expect(typeof ee.embed).toBe("function");
  });

  it("Should reject with the gateway's error code, and with the caller's abort", async () => {
    const ee = withCollections(createClient({ baseURL: url }));
    answers.push({ status: 404, body: { error: { message: "No collection", code: "collection_not_found" } } });
    const err = await ee.search("x", "q").catch((e) => e);
    expect(err).toBeInstanceOf(EmbedEdgeError);
    expect(err).toMatchObject({ status: 404, code: "collection_not_found" });
    const stop = new AbortController();
    stop.abort();
    await expect(ee.search("x", "q", { signal: stop.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CollectionObject } from "../../worker/collections/collection-object";
import { standInScore } from "../upstream/together-stand-in";
import { bruteForce, embed, type Gateway, json, type Metric, uniqueName } from "./collections-oracle";
import { gateway } from "./gateway";

const MODEL = "test/tiny-embed";
const RERANKER = "Salesforce/Llama-Rank-v1";
const COLORS = ["red", "green", "blue"];
const TEXTS = Array.from({ length: 40 }, (_, i) => `document ${i} about ${["llamas", "pandas", "bread", "rivers"][i % 4]} number ${i * 7}`);
const RECORDS = TEXTS.map((text, i) => ({ id: `r${i}`, text, metadata: { color: COLORS[i % 3], n: i, tags: [`t${i % 5}`] } }));

async function create(gw: Gateway, body: Record<string, unknown> = {}, name = uniqueName()) {
  const res = await gw.request(`/v1/collections/${name}`, {
    method: "PUT",
    body: JSON.stringify({ model: MODEL, ...body }),
    headers: { "content-type": "application/json" },
  });
  return { name, res, body: await json(res) };
}

const upsert = (gw: Gateway, name: string, records: unknown[]) => gw.post(`/v1/collections/${name}/records`, { records });
const query = (gw: Gateway, name: string, body: Record<string, unknown>) => gw.post(`/v1/collections/${name}/query`, body);

async function upstreamCalls(gw: Gateway) {
  const stats = await gw.stats();
  return stats.calls.embeddings + stats.calls.rerank;
}

describe("collections: lifecycle", () => {
  it("Should create a collection (201), accept the same spec again (200) and refuse another model with 409", async () => {
    const gw = gateway();
    const first = await create(gw, { description: "docs" });
    expect(first.res.status).toBe(201);
    expect(first.body).toMatchObject({
      object: "collection",
      name: first.name,
      model: MODEL,
      dimensions: 8,
      metric: "cosine",
      count: 0,
      store: "durable-object",
    });
    expect(typeof first.body.created_at).toBe("number");
    const again = await create(gw, {}, first.name);
    expect(again.res.status).toBe(200);
    const other = await create(gw, { model: "BAAI/bge-base-en-v1.5" }, first.name);
    expect(other.res.status).toBe(409);
    expect(other.body.error.code).toBe("collection_exists");
    const list = await json(await gw.request("/v1/collections"));
    expect(list.object).toBe("list");
    expect(list.data.map((c: { name: string }) => c.name)).toContain(first.name);
    expect(await upstreamCalls(gw)).toBe(0);
  });

  it("Should show prefixes with GET, and delete a collection with its records", async () => {
    const gw = gateway();
    const { name } = await create(gw, { query_prefix: "query: ", document_prefix: "passage: " });
    expect(await json(await gw.request(`/v1/collections/${name}`))).toMatchObject({
      query_prefix: "query: ",
      document_prefix: "passage: ",
    });
    expect((await upsert(gw, name, RECORDS.slice(0, 3))).status).toBe(200);
    const del = await gw.request(`/v1/collections/${name}`, { method: "DELETE" });
    expect(await json(del)).toEqual({ object: "collection.deleted", name, deleted: true });
    const gone = await gw.request(`/v1/collections/${name}`);
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.code).toBe("collection_not_found");
    const list = await json(await gw.request("/v1/collections"));
    expect(list.data.map((c: { name: string }) => c.name)).not.toContain(name);
    // Re-created under the same name, it starts empty.
    await create(gw, {}, name);
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(0);
    expect((await gw.request(`/v1/collections/${name}/records/r0`)).status).toBe(404);
  });
});

describe("collections: upsert", () => {
  it("Should embed new texts once, then answer unchanged records without an upstream call", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    const first = await json(await upsert(gw, name, RECORDS));
    expect(first).toMatchObject({ object: "upsert", upserted: 40, unchanged: 0, embedded: 40 });
    expect(first.usage.total_tokens).toBeGreaterThan(0);
    const calls = await upstreamCalls(gw);
    const again = await json(await upsert(gw, name, RECORDS));
    expect(again).toEqual({
      object: "upsert",
      upserted: 0,
      unchanged: 40,
      embedded: 0,
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    const changed = RECORDS.map((r, i) =>
      i === 0 ? { ...r, metadata: { color: "violet" } } : i === 1 ? { ...r, text: `${r.text} changed` } : r,
    );
    const third = await json(await upsert(gw, name, changed));
    expect(third).toMatchObject({ upserted: 2, unchanged: 38, embedded: 1 });
    expect(await upstreamCalls(gw)).toBe(calls + 1);
    expect(await json(await gw.request(`/v1/collections/${name}/records/r0`))).toEqual({
      id: "r0",
      text: RECORDS[0].text,
      metadata: { color: "violet" },
    });
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(40);
  });

  it("Should take vectors already embedded by /v1/embeddings or another collection from the item cache", async () => {
    const gw = gateway();
    await embed(gw, MODEL, TEXTS.slice(0, 10));
    const a = await create(gw);
    expect(await json(await upsert(gw, a.name, RECORDS.slice(0, 20)))).toMatchObject({ upserted: 20, embedded: 10 });
    const b = await create(gw, { metric: "dot" });
    const calls = await upstreamCalls(gw);
    expect(await json(await upsert(gw, b.name, RECORDS.slice(0, 20)))).toMatchObject({ upserted: 20, embedded: 0 });
    expect(await upstreamCalls(gw)).toBe(calls);
  });

  it("Should lose nothing when 8 clients upsert at once", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    const batches = Array.from({ length: 8 }, (_, c) =>
      Array.from({ length: 12 }, (_, i) => ({ id: `c${c}-${i}`, text: `client ${c} record ${i}` })),
    );
    const answers = await Promise.all(batches.map((b) => upsert(gw, name, b)));
    for (const res of answers) expect(res.status).toBe(200);
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(96);
    const found = await json(await query(gw, name, { query: "client 3 record 4", top_k: 100 }));
    expect(found.data).toHaveLength(96);
  });

  it("Should leave the collection as it was when the upstream fails mid-upsert, and say nothing was stored", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    await upsert(gw, name, RECORDS.slice(0, 4));
    // tiny-embed takes 4 texts per upstream call: the second call of this upsert fails.
    await gw.fault({ kind: "delay", ms: 0 });
    await gw.fault({ kind: "status", status: 500, times: 2 });
    const res = await upsert(gw, name, RECORDS.slice(0, 12));
    expect(res.status).toBe(502);
    const error = (await json(res)).error;
    expect(error.message).toContain("Nothing of this request was stored");
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(4);
    expect((await gw.request(`/v1/collections/${name}/records/r5`)).status).toBe(404);
    // Resent once the upstream recovers (the queued faults may outlast one resend), it stores them all.
    let retried = await upsert(gw, name, RECORDS.slice(0, 12));
    for (let i = 0; i < 3 && retried.status !== 200; i++) retried = await upsert(gw, name, RECORDS.slice(0, 12));
    expect(await json(retried)).toMatchObject({ upserted: 8, unchanged: 4 });
  });

  it("Should delete records by id and say how many were stored", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    await upsert(gw, name, RECORDS.slice(0, 10));
    expect(await json(await gw.post(`/v1/collections/${name}/records/delete`, { ids: ["r1", "r2", "nope"] }))).toEqual({ deleted: 2 });
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(8);
    const found = await json(await query(gw, name, { query: TEXTS[1], top_k: 100 }));
    expect(found.data.map((d: { id: string }) => d.id).sort()).toEqual(["r0", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]);
  });
});

describe("collections: bounded upserts", () => {
  it("Should refuse an upsert holding more than MAX_RESPONSE_VALUES values, naming records and how many fit, before embedding", async () => {
    const gw = gateway({ MAX_RESPONSE_VALUES: "40" }); // 5 records of test/tiny-embed's 8 dimensions
    const { name } = await create(gw);
    const res = await upsert(gw, name, RECORDS.slice(0, 6));
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.param).toBe("records");
    expect(error.message).toContain("MAX_RESPONSE_VALUES");
    expect(error.message).toContain("at most 5 records");
    expect(await upstreamCalls(gw)).toBe(0);
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(0);
    expect((await upsert(gw, name, RECORDS.slice(0, 5))).status).toBe(200);
  });
});

describe("collections: query", () => {
  for (const metric of ["cosine", "dot", "euclidean"] as Metric[]) {
    it(`Should answer what an exact brute-force search answers (${metric})`, async () => {
      const gw = gateway();
      const { name } = await create(gw, { metric });
      await upsert(gw, name, RECORDS);
      const vectors = await embed(gw, MODEL, TEXTS);
      const records = RECORDS.map((r, i) => ({ id: r.id, vector: vectors[i] }));
      for (const q of ["llamas in Peru", "bread", TEXTS[7]]) {
        const [qv] = await embed(gw, MODEL, [q]);
        const expected = bruteForce(metric, qv, records, 7);
        const body = await json(await query(gw, name, { query: q, top_k: 7 }));
        expect(body.object).toBe("list");
        expect(body.model).toBe(MODEL);
        expect(body.data.map((d: { id: string }) => d.id)).toEqual(expected.map((e) => e.id));
        body.data.forEach((d: { score: number }, i: number) => expect(d.score).toBeCloseTo(expected[i].score, 5));
      }
    });
  }

  it("Should filter as the same filter applied by hand, with text and metadata included", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    await upsert(gw, name, RECORDS);
    const vectors = await embed(gw, MODEL, TEXTS);
    const [qv] = await embed(gw, MODEL, ["pandas"]);
    const cases: Array<[Record<string, unknown>, (m: (typeof RECORDS)[number]["metadata"]) => boolean]> = [
      [{ color: "red" }, (m) => m.color === "red"],
      [{ color: { $ne: "red" }, n: { $gte: 10, $lt: 30 } }, (m) => m.color !== "red" && m.n >= 10 && m.n < 30],
      [{ color: { $in: ["green", "blue"] } }, (m) => m.color === "green" || m.color === "blue"],
      [{ n: { $nin: [1, 2, 3] }, tags: "t2" }, (m) => ![1, 2, 3].includes(m.n) && m.tags.includes("t2")],
      [{ missing: { $eq: 1 } }, () => false],
    ];
    for (const [filter, keep] of cases) {
      const kept = RECORDS.map((r, i) => ({ id: r.id, vector: vectors[i], r })).filter((x) => keep(x.r.metadata));
      const expected = bruteForce("cosine", qv, kept, 5);
      const body = await json(await query(gw, name, { query: "pandas", top_k: 5, filter, include: ["text", "metadata"] }));
      expect(
        body.data.map((d: { id: string }) => d.id),
        JSON.stringify(filter),
      ).toEqual(expected.map((e) => e.id));
      for (const d of body.data) {
        const record = RECORDS.find((r) => r.id === d.id)!;
        expect(d.text).toBe(record.text);
        expect(d.metadata).toEqual(record.metadata);
      }
    }
  });

  it("Should rerank the vector candidates in the reranker's order, through the rerank cache", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    await upsert(gw, name, RECORDS);
    const q = "llamas number 28";
    const plain = await json(await query(gw, name, { query: q, top_k: 12, include: ["text"] }));
    const res = await query(gw, name, { query: q, top_k: 12, rerank: { model: RERANKER, top_n: 5 } });
    expect(res.headers.get("x-rerank-cache")).toBe("MISS");
    const body = await json(res);
    const expected = plain.data
      .map((d: { id: string; text: string; score: number }) => ({ id: d.id, score: d.score, rerank_score: standInScore(q, d.text) }))
      .sort((a: { rerank_score: number }, b: { rerank_score: number }) => b.rerank_score - a.rerank_score)
      .slice(0, 5);
    expect(body.data).toEqual(expected);
    const again = await query(gw, name, { query: q, top_k: 12, rerank: { model: RERANKER, top_n: 5 } });
    expect(again.headers.get("x-rerank-cache")).toBe("HIT");
    expect(again.headers.get("x-cache")).toBe("HIT");
  });

  it("Should embed queries with the query prefix and records with the document prefix", async () => {
    const gw = gateway();
    const { name } = await create(gw, { query_prefix: "query: ", document_prefix: "passage: " });
    await upsert(gw, name, RECORDS.slice(0, 10));
    const vectors = await embed(
      gw,
      MODEL,
      TEXTS.slice(0, 10).map((t) => `passage: ${t}`),
    );
    const [qv] = await embed(gw, MODEL, ["query: bread"]);
    const expected = bruteForce(
      "cosine",
      qv,
      RECORDS.slice(0, 10).map((r, i) => ({ id: r.id, vector: vectors[i] })),
      3,
    );
    const body = await json(await query(gw, name, { query: "bread", top_k: 3 }));
    expect(body.data.map((d: { id: string }) => d.id)).toEqual(expected.map((e) => e.id));
  });
});

describe("collections: odd ids, the API document and CORS", () => {
  it("Should store and read back ids with slashes, spaces and non-ASCII characters", async () => {
    const gw = gateway();
    const { name } = await create(gw);
    const ids = ["docs/intro.md#1", "a b", "ünïcode", "x".repeat(64)];
    await upsert(
      gw,
      name,
      ids.map((id, i) => ({ id, text: `odd id ${i}` })),
    );
    for (const id of ids) expect((await json(await gw.request(`/v1/collections/${name}/records/${encodeURIComponent(id)}`))).id).toBe(id);
    expect(await json(await gw.post(`/v1/collections/${name}/records/delete`, { ids }))).toEqual({ deleted: 4 });
  });

  it("Should document every collection route in /openapi.json", async () => {
    const doc = await json(await gateway().request("/openapi.json"));
    for (const path of [
      "/v1/collections",
      "/v1/collections/{name}",
      "/v1/collections/{name}/records",
      "/v1/collections/{name}/records/{id}",
      "/v1/collections/{name}/records/delete",
      "/v1/collections/{name}/query",
      "/v1/vector_stores/{name}/search",
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(Object.keys(doc.paths["/v1/collections/{name}"]).sort()).toEqual(["delete", "get", "put"]);
  });

  it("Should let an allowed page create and delete a collection (PUT and DELETE pass the preflight)", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    const res = await gw.request("/v1/collections/docs", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(res.headers.get("access-control-allow-methods")).toContain("DELETE");
  });
});

describe("collections: the README's example", () => {
  it("Should create, upsert and query with filter and rerank on the local models, as the README shows", async () => {
    const gw = gateway({ LOCAL_PROVIDER: "on" });
    const name = uniqueName("docs");
    const put = await gw.request(`/v1/collections/${name}`, {
      method: "PUT",
      body: JSON.stringify({ model: "local/lexical-embed" }),
      headers: { "content-type": "application/json" },
    });
    expect(put.status).toBe(201);
    const records = [
      { id: "llama", text: "The llama is a camelid from Peru.", metadata: { kind: "animal", year: 2024 } },
      { id: "bread", text: "Sourdough bread from Peru.", metadata: { kind: "food", year: 2024 } },
      { id: "guanaco", text: "Guanacos are wild animals of the Andes.", metadata: { kind: "animal", year: 2023 } },
    ];
    expect(await json(await upsert(gw, name, records))).toMatchObject({ upserted: 3 });
    const body = await json(
      await query(gw, name, {
        query: "animals near Peru",
        top_k: 20,
        filter: { kind: "animal" },
        rerank: { model: "local/bm25-rerank", top_n: 5 },
        include: ["text", "metadata"],
      }),
    );
    expect(body.data.map((d: { id: string }) => d.id).sort()).toEqual(["guanaco", "llama"]);
    for (const d of body.data) expect(typeof d.rerank_score).toBe("number");
  });
});

describe("collections: refusals (JSON error, no upstream call)", () => {
  const cases: Array<[string, string, string, unknown, number, string]> = [
    ["a bad name", "PUT", "/v1/collections/Bad%20Name", { model: MODEL }, 400, "name"],
    ["an unknown model", "PUT", "/v1/collections/{name}x", { model: "nope/nope" }, 404, "model"],
    ["a rerank model as the embedding model", "PUT", "/v1/collections/{name}x", { model: RERANKER }, 400, "model"],
    ["a non-matryoshka size", "PUT", "/v1/collections/{name}x", { model: MODEL, dimensions: 4 }, 400, "dimensions"],
    ["a bad metric", "PUT", "/v1/collections/{name}x", { model: MODEL, metric: "manhattan" }, 400, "metric"],
    ["an empty id", "POST", "/v1/collections/{name}/records", { records: [{ id: "", text: "a" }] }, 400, "records[0].id"],
    ["a 65-byte id", "POST", "/v1/collections/{name}/records", { records: [{ id: "é".repeat(33), text: "a" }] }, 400, "records[0].id"],
    [
      "nested metadata",
      "POST",
      "/v1/collections/{name}/records",
      { records: [{ id: "a", text: "a", metadata: { o: { x: 1 } } }] },
      400,
      "records[0].metadata.o",
    ],
    [
      "metadata over 10 KiB",
      "POST",
      "/v1/collections/{name}/records",
      { records: [{ id: "a", text: "a", metadata: { big: "x".repeat(11000) } }] },
      400,
      "records[0].metadata",
    ],
    ["top_k 0", "POST", "/v1/collections/{name}/query", { query: "q", top_k: 0 }, 400, "top_k"],
    ["top_k 101", "POST", "/v1/collections/{name}/query", { query: "q", top_k: 101 }, 400, "top_k"],
    ["an unknown filter operator", "POST", "/v1/collections/{name}/query", { query: "q", filter: { n: { $near: 1 } } }, 400, "filter.n"],
    [
      "a filter with an object value",
      "POST",
      "/v1/collections/{name}/query",
      { query: "q", filter: { n: { $in: [{}] } } },
      400,
      "filter.n",
    ],
    ["an unknown rerank model", "POST", "/v1/collections/{name}/query", { query: "q", rerank: { model: "nope" } }, 404, "model"],
    ["an unknown collection", "POST", "/v1/collections/{name}-missing/query", { query: "q" }, 404, "name"],
    [
      "an upsert to an unknown collection",
      "POST",
      "/v1/collections/{name}-missing/records",
      { records: [{ id: "a", text: "a" }] },
      404,
      "name",
    ],
  ];
  it.each(cases)("Should refuse %s", async (_, method, path, body, status, param) => {
    const gw = gateway();
    const { name } = await create(gw);
    const res = await gw.request(path.replace("{name}", name), {
      method,
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    const answer = await json(res);
    expect(res.status, JSON.stringify(answer)).toBe(status);
    expect(answer.error.param).toBe(param);
    expect(await upstreamCalls(gw)).toBe(0);
  });
});

describe("collections: the int8 path of large collections", () => {
  for (const metric of ["cosine", "dot", "euclidean"] as Metric[]) {
    it(`Should rescore int8 candidates from SQLite into brute force's exact answer (${metric})`, async () => {
      const gw = gateway();
      const { name } = await create(gw, { metric });
      // A zero float32 budget: this object keeps int8 codes from the first vector, as one past 48 MB would.
      const stub = env.COLLECTIONS.get(env.COLLECTIONS.idFromName(name));
      await runInDurableObject(stub, (instance: CollectionObject) => {
        instance.fullPrecisionBytes = 0;
      });
      await upsert(gw, name, RECORDS);
      const vectors = await embed(gw, MODEL, TEXTS);
      const records = RECORDS.map((r, i) => ({ id: r.id, vector: vectors[i] }));
      for (const q of ["llamas", TEXTS[3], "rivers number 21"]) {
        const [qv] = await embed(gw, MODEL, [q]);
        const body = await json(await query(gw, name, { query: q, top_k: 5 }));
        const expected = bruteForce(metric, qv, records, 5);
        expect(body.data.map((d: { id: string }) => d.id)).toEqual(expected.map((e) => e.id));
        body.data.forEach((d: { score: number }, i: number) => expect(d.score).toBeCloseTo(expected[i].score, 5));
      }
      expect(await runInDurableObject(stub, (instance: CollectionObject) => instance.stats())).toMatchObject({
        quantized: true,
        loaded: true,
      });
    });
  }
});

// One contract, two stores: the Durable Object store (real local Durable Objects) and the Vectorize
// store over a stand-in of the Vectorize binding (the binding does not run locally).
import { describe, expect, it } from "vitest";
import { VectorizeStandIn } from "../vectorize-stand-in";
import { bruteForce, embed, type Gateway, json, uniqueName } from "./collections-oracle";
import { gateway } from "./gateway";

const MODEL = "test/tiny-embed";
const KINDS = ["a", "b", "c", "d"];
const TEXTS = Array.from({ length: 36 }, (_, i) => `contract record ${i} ${["alpha", "beta", "gamma"][i % 3]}`);
const RECORDS = TEXTS.map((text, i) => ({ id: `id-${i}`, text, metadata: { kind: KINDS[i % 4], n: i } }));

interface Variant {
  name: string;
  store: string;
  make(): { gw: Gateway; index?: VectorizeStandIn };
}

const VARIANTS: Variant[] = [
  { name: "durable-object store", store: "durable-object", make: () => ({ gw: gateway() }) },
  {
    name: "vectorize store (binding stand-in)",
    store: "vectorize",
    make() {
      const gw = gateway({ COLLECTIONS_STORE: "vectorize" });
      const index = new VectorizeStandIn(8, "cosine");
      (gw.env as unknown as Record<string, unknown>).COLLECTIONS_INDEX = index;
      return { gw, index };
    },
  },
];

async function create(gw: Gateway, name = uniqueName("k"), body: Record<string, unknown> = {}) {
  const res = await gw.request(`/v1/collections/${name}`, {
    method: "PUT",
    body: JSON.stringify({ model: MODEL, ...body }),
    headers: { "content-type": "application/json" },
  });
  return { name, res, body: await json(res) };
}

const ids = (body: { data: Array<{ id: string }> }) => body.data.map((d) => d.id);

describe.each(VARIANTS)("collections contract: $name", (variant) => {
  it("Should create in its store and answer queries as brute force does, with and without filters", async () => {
    const { gw } = variant.make();
    const { name, body } = await create(gw);
    expect(body.store).toBe(variant.store);
    expect(await json(await gw.post(`/v1/collections/${name}/records`, { records: RECORDS }))).toMatchObject({
      upserted: 36,
      embedded: 36,
    });
    const vectors = await embed(gw, MODEL, TEXTS);
    const all = RECORDS.map((r, i) => ({ id: r.id, vector: vectors[i], r }));
    const [qv] = await embed(gw, MODEL, ["beta"]);
    const plain = await json(await gw.post(`/v1/collections/${name}/query`, { query: "beta", top_k: 6, include: ["text", "metadata"] }));
    expect(ids(plain)).toEqual(bruteForce("cosine", qv, all, 6).map((e) => e.id));
    expect(plain.data[0].text).toBe(RECORDS.find((r) => r.id === plain.data[0].id)!.text);
    const filtered = await json(
      await gw.post(`/v1/collections/${name}/query`, { query: "beta", top_k: 5, filter: { kind: { $in: ["a", "c"] }, n: { $gte: 8 } } }),
    );
    const kept = all.filter((x) => ["a", "c"].includes(x.r.metadata.kind) && x.r.metadata.n >= 8);
    expect(ids(filtered)).toEqual(bruteForce("cosine", qv, kept, 5).map((e) => e.id));
  });

  it("Should skip unchanged records, apply a metadata change to filters, and delete records", async () => {
    const { gw } = variant.make();
    const { name } = await create(gw);
    await gw.post(`/v1/collections/${name}/records`, { records: RECORDS });
    expect(await json(await gw.post(`/v1/collections/${name}/records`, { records: RECORDS }))).toMatchObject({
      upserted: 0,
      unchanged: 36,
      embedded: 0,
    });
    const moved = { ...RECORDS[5], metadata: { kind: "z", n: 5 } };
    expect(await json(await gw.post(`/v1/collections/${name}/records`, { records: [moved] }))).toMatchObject({ upserted: 1, embedded: 0 });
    expect(ids(await json(await gw.post(`/v1/collections/${name}/query`, { query: "x", filter: { kind: "z" } })))).toEqual(["id-5"]);
    expect(await json(await gw.request(`/v1/collections/${name}/records/id-5`))).toEqual({
      id: "id-5",
      text: TEXTS[5],
      metadata: { kind: "z", n: 5 },
    });
    expect(await json(await gw.post(`/v1/collections/${name}/records/delete`, { ids: ["id-5", "id-6", "missing"] }))).toEqual({
      deleted: 2,
    });
    const rest = await json(await gw.post(`/v1/collections/${name}/query`, { query: "x", top_k: 100 }));
    expect(rest.data).toHaveLength(34);
    expect(ids(rest)).not.toContain("id-5");
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(34);
  });

  it("Should forget every record when the collection is deleted and re-created", async () => {
    const { gw, index } = variant.make();
    const { name } = await create(gw);
    await gw.post(`/v1/collections/${name}/records`, { records: RECORDS.slice(0, 10) });
    expect((await gw.request(`/v1/collections/${name}`, { method: "DELETE" })).status).toBe(200);
    expect((await gw.post(`/v1/collections/${name}/query`, { query: "x" })).status).toBe(404);
    await create(gw, name);
    expect((await json(await gw.post(`/v1/collections/${name}/query`, { query: "x" }))).data).toEqual([]);
    if (index) expect(index.vectors.size).toBe(0);
  });
});

describe("vectorize store specifics", () => {
  const vectorize = () => VARIANTS[1].make() as { gw: Gateway; index: VectorizeStandIn };

  it("Should refuse a collection whose size or metric the index does not have, before any upstream call", async () => {
    const { gw } = vectorize();
    const big = await create(gw, uniqueName("v"), { model: "BAAI/bge-base-en-v1.5" });
    expect(big.res.status).toBe(400);
    expect(big.body.error.param).toBe("model");
    const dot = await create(gw, uniqueName("v"), { metric: "dot" });
    expect(dot.res.status).toBe(400);
    expect(dot.body.error.param).toBe("metric");
  });

  it("Should refuse an 'or' filter it cannot express", async () => {
    const { gw } = vectorize();
    const { name } = await create(gw);
    await gw.post(`/v1/collections/${name}/records`, { records: RECORDS.slice(0, 3) });
    const calls = (await gw.stats()).calls.embeddings;
    const res = await gw.post(`/v1/vector_stores/${name}/search`, {
      query: "x",
      filters: {
        type: "or",
        filters: [
          { type: "eq", key: "kind", value: "a" },
          { type: "eq", key: "kind", value: "b" },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.param).toBe("filter");
    expect((await gw.stats()).calls.embeddings).toBe(calls);
  });

  it("Should store nothing when Vectorize fails, and say so", async () => {
    const { gw, index } = vectorize();
    const { name } = await create(gw);
    await gw.post(`/v1/collections/${name}/records`, { records: RECORDS.slice(0, 4) });
    index.failNextUpsert = true;
    const res = await gw.post(`/v1/collections/${name}/records`, { records: RECORDS.slice(0, 8) });
    expect(res.status).toBe(502);
    expect((await json(res)).error.message).toContain("nothing of this call was stored");
    expect((await json(await gw.request(`/v1/collections/${name}`))).count).toBe(4);
    expect(await json(await gw.post(`/v1/collections/${name}/records`, { records: RECORDS.slice(0, 8) }))).toMatchObject({
      upserted: 4,
      unchanged: 4,
    });
  });
});

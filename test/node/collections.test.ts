// Collections through real clients against `wrangler dev`: the openai SDK's vectorStores.search,
// and a restart of the gateway over the same local state.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import { TEST_MODELS_JSON } from "../setup/test-models";
import { startWranglerDev } from "../setup/wrangler-dev";
import { STAND_IN_API_KEY, standInVector } from "../upstream/together-stand-in";

const gatewayURL = inject("gatewayURL");
const serverKey = inject("serverKey");
const upstreamURL = inject("upstreamURL");
const MODEL = "BAAI/bge-base-en-v1.5";
const run = Date.now().toString(36);
const TEXTS = Array.from({ length: 30 }, (_, i) => `note ${i} on ${["llamas", "rivers", "bread"][i % 3]} ${run}`);
const RECORDS = TEXTS.map((text, i) => ({ id: `n${i}`, text, metadata: { kind: ["animal", "place", "food"][i % 3], n: i } }));

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${serverKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Cosine brute force over the stand-in's own vectors. */
function expectedIds(query: string, keep: (r: (typeof RECORDS)[number]) => boolean, k: number): string[] {
  const q = standInVector(MODEL, query, 768);
  return RECORDS.filter(keep)
    .map((r) => {
      const v = standInVector(MODEL, r.text, 768);
      let dot = 0;
      for (let i = 0; i < 768; i++) dot += q[i] * v[i];
      return { id: r.id, dot };
    })
    .sort((a, b) => b.dot - a.dot)
    .slice(0, k)
    .map((r) => r.id);
}

describe("openai SDK: vectorStores.search", () => {
  it("Should search a collection with the SDK unchanged, filters included", async () => {
    const name = `sdk-${run}`;
    await call(gatewayURL, "PUT", `/v1/collections/${name}`, { model: MODEL });
    await call(gatewayURL, "POST", `/v1/collections/${name}/records`, { records: RECORDS });
    const client = new OpenAI({ apiKey: serverKey, baseURL: `${gatewayURL}/v1` });

    const page = await client.vectorStores.search(name, { query: "llamas", max_num_results: 5 });
    expect(page.data.map((r) => r.file_id)).toEqual(expectedIds("llamas", () => true, 5));
    const first = page.data[0];
    const record = RECORDS.find((r) => r.id === first.file_id)!;
    expect(first.content).toEqual([{ type: "text", text: record.text }]);
    expect(first.attributes).toEqual(record.metadata);
    expect(typeof first.score).toBe("number");

    const filtered = await client.vectorStores.search(name, {
      query: "bread",
      max_num_results: 4,
      filters: {
        type: "and",
        filters: [
          { type: "eq", key: "kind", value: "food" },
          { type: "gte", key: "n", value: 10 },
        ],
      },
    });
    expect(filtered.data.map((r) => r.file_id)).toEqual(expectedIds("bread", (r) => r.metadata.kind === "food" && r.metadata.n >= 10, 4));

    await expect(client.vectorStores.search(`missing-${run}`, { query: "x" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("collections survive a restart", () => {
  it("Should answer the same query with the same records after wrangler dev restarts over the same state", async () => {
    const state = mkdtempSync(join(tmpdir(), "embed-edge-collections-"));
    const vars = {
      TOGETHER_API_KEY: STAND_IN_API_KEY,
      TOGETHER_BASE_URL: `${upstreamURL}/t/restart-${run}/v1`,
      AUTH_MODE: "key",
      GATEWAY_KEYS: `suite:${serverKey}`,
      MODELS: TEST_MODELS_JSON,
    };
    const first = await startWranglerDev(vars, { persistTo: state });
    let before: { data: unknown } | undefined;
    try {
      await call(first.url, "PUT", "/v1/collections/kept", { model: MODEL, metric: "dot" });
      await call(first.url, "POST", "/v1/collections/kept/records", { records: RECORDS });
      before = await call(first.url, "POST", "/v1/collections/kept/query", { query: "rivers", top_k: 8, include: ["text", "metadata"] });
    } finally {
      await first.stop();
    }
    const second = await startWranglerDev(vars, { persistTo: state });
    try {
      const after = await call(second.url, "POST", "/v1/collections/kept/query", {
        query: "rivers",
        top_k: 8,
        include: ["text", "metadata"],
      });
      // Same results; the query's embedding now comes from the persisted item cache (no usage).
      expect(after.data).toEqual(before!.data);
      expect(after.usage.total_tokens).toBe(0);
      expect((await call(second.url, "GET", "/v1/collections")).data).toEqual([
        expect.objectContaining({ name: "kept", count: 30, metric: "dot" }),
      ]);
      expect(await call(second.url, "POST", "/v1/collections/kept/records", { records: RECORDS })).toMatchObject({
        unchanged: 30,
        embedded: 0,
      });
    } finally {
      await second.stop();
    }
  });
});

import { describe, expect, it } from "vitest";
import { DOCS_ANIMALS, DOCS_QUERY } from "../setup/docs-examples";
import { standInScore } from "../upstream/together-stand-in";
import { gateway, STORE_VARIANTS } from "./gateway";

const MODEL = "Salesforce/Llama-Rank-v1";
const QUERY = DOCS_QUERY;
const ANIMALS = DOCS_ANIMALS;
const DOCS = ["llamas live in Peru", "pandas live in China", "animals near Peru include the guanaco", "a recipe for bread"];

const rerank = (gw: ReturnType<typeof gateway>, body: Record<string, unknown>) =>
  gw.post("/v1/rerank", { model: MODEL, query: QUERY, ...body });

describe.each(STORE_VARIANTS)("$name", ({ vars: store }) => {
  describe("rerank: correct results", () => {
    it("Should rank documents by the upstream's scores, best first, with usage always present", async () => {
      const gw = gateway(store);
      const res = await rerank(gw, { documents: DOCS });
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.object).toBe("rerank");
      expect(typeof body.id).toBe("string");
      const expected = DOCS.map((d, index) => ({ index, relevance_score: standInScore(QUERY, d) })).sort(
        (a, b) => b.relevance_score - a.relevance_score,
      );
      expect(body.results).toEqual(expected);
      expect(Number.isInteger(body.usage.prompt_tokens)).toBe(true);
      expect(Number.isInteger(body.usage.completion_tokens)).toBe(true);
      expect(Number.isInteger(body.usage.total_tokens)).toBe(true);
    });

    it("Should apply top_n and return_documents locally", async () => {
      const gw = gateway(store);
      const body = (await (await rerank(gw, { documents: DOCS, top_n: 2, return_documents: true })).json()) as any;
      expect(body.results).toHaveLength(2);
      for (const r of body.results) expect(r.document).toEqual({ text: DOCS[r.index] });
      expect((await gw.stats()).bodies[0]).toEqual({ model: MODEL, query: QUERY, documents: DOCS, return_documents: false });
    });

    it("Should rank object documents as the Together curl example sends them, returning their JSON", async () => {
      const gw = gateway(store);
      const body = (await (await rerank(gw, { documents: ANIMALS, return_documents: true, top_n: 2 })).json()) as any;
      expect(body.results).toHaveLength(2);
      expect(JSON.parse(body.results[0].document.text)).toEqual(ANIMALS[body.results[0].index]);
      const scores = ANIMALS.map((a) => standInScore(QUERY, JSON.stringify(a)));
      expect(body.results[0].relevance_score).toBe(Math.max(...scores));
    });

    it("Should cache object documents by the rank_fields they are ranked on", async () => {
      const gw = gateway(store);
      await rerank(gw, { documents: ANIMALS, rank_fields: ["text"] });
      const changedTitles = ANIMALS.map((a) => ({ ...a, title: `${a.title} (renamed)` }));
      const res = await rerank(gw, { documents: changedTitles, rank_fields: ["text"] });
      expect(res.headers.get("x-cache")).toBe("HIT");
      const other = await rerank(gw, { documents: changedTitles, rank_fields: ["title"] });
      expect(other.headers.get("x-cache")).toBe("MISS");
      expect((await gw.stats()).bodies[0].rank_fields).toEqual(["text"]);
    });
  });

  describe("rerank: the cache", () => {
    it("Should make one upstream call for top_n:1 followed by top_n:3", async () => {
      const gw = gateway(store);
      const one = (await (await rerank(gw, { documents: DOCS, top_n: 1 })).json()) as any;
      const three = (await (await rerank(gw, { documents: DOCS, top_n: 3 })).json()) as any;
      expect(one.results).toHaveLength(1);
      expect(three.results).toHaveLength(3);
      expect(three.results[0]).toEqual(one.results[0]);
      expect((await gw.stats()).calls.rerank).toBe(1);
    });

    it("Should send only d3 when [d1,d2] is followed by [d2,d3] for the same query", async () => {
      const gw = gateway(store);
      await rerank(gw, { documents: ["d1 Peru", "d2 llama"] });
      const res = await rerank(gw, { documents: ["d2 llama", "d3 animals"] });
      expect(res.headers.get("x-cache")).toBe("PARTIAL");
      const stats = await gw.stats();
      expect(stats.bodies[1].documents).toEqual(["d3 animals"]);
      expect(stats.reranked).toEqual({ "d1 Peru": 1, "d2 llama": 1, "d3 animals": 1 });
      const body = (await res.json()) as any;
      const byIndex = Object.fromEntries(body.results.map((r: any) => [r.index, r.relevance_score]));
      expect(byIndex[0]).toBe(standInScore(QUERY, "d2 llama"));
      expect(byIndex[1]).toBe(standInScore(QUERY, "d3 animals"));
    });

    it("Should not reuse scores across queries", async () => {
      const gw = gateway(store);
      await rerank(gw, { documents: DOCS });
      const res = await gw.post("/v1/rerank", { model: MODEL, query: "something else entirely", documents: DOCS });
      expect(res.headers.get("x-cache")).toBe("MISS");
    });

    it("Should answer a full hit with zero usage", async () => {
      const gw = gateway(store);
      await rerank(gw, { documents: DOCS });
      const body = (await (await rerank(gw, { documents: [...DOCS].reverse() })).json()) as any;
      expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
      expect(body.results[0].index).toBe(DOCS.length - 1 - 2);
    });
  });
});

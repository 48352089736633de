import { describe, expect, it } from "vitest";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { standInVector } from "../upstream/together-stand-in";
import { decodeBase64Vector, gateway, STORE_VARIANTS, storeKeysOf, storeOf } from "./gateway";

const MODEL = "BAAI/bge-large-en-v1.5";
const embed = (
  gw: ReturnType<typeof gateway>,
  input: string | string[],
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => gw.post("/v1/embeddings", { model: MODEL, input, ...extra }, headers);

describe.each(STORE_VARIANTS)("$name", ({ vars: store }) => {
  describe("embeddings: correct results", () => {
    it("Should return float vectors in input order that equal what the upstream computed", async () => {
      const gw = gateway(store);
      const res = await embed(gw, ["alpha", "beta", "gamma"]);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.object).toBe("list");
      expect(body.model).toBe(MODEL);
      expect(body.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
      ["alpha", "beta", "gamma"].forEach((text, i) => {
        expect(body.data[i].object).toBe("embedding");
        expect(body.data[i].embedding).toHaveLength(1024);
        expect(Float32Array.from(body.data[i].embedding)).toEqual(standInVector(MODEL, text, 1024));
      });
      expect(body.usage.prompt_tokens).toBeGreaterThan(0);
      expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
    });

    it("Should return base64 little-endian float32 when asked, identical to the float answer", async () => {
      const gw = gateway(store);
      const asFloat = (await (await embed(gw, "New York City")).json()) as any;
      const asBase64 = (await (await embed(gw, "New York City", { encoding_format: "base64" })).json()) as any;
      expect(typeof asBase64.data[0].embedding).toBe("string");
      expect(decodeBase64Vector(asBase64.data[0].embedding)).toEqual(Float32Array.from(asFloat.data[0].embedding));
    });

    it("Should accept a single string input like the Together curl example", async () => {
      const gw = gateway(store);
      const res = await embed(gw, "Our solar system orbits the Milky Way galaxy at about 515,000 mph");
      const body = (await res.json()) as any;
      expect(body.data).toHaveLength(1);
    });
  });

  describe("embeddings: the cache", () => {
    it("Should send only the new input upstream when [a,b] is followed by [a,b,c]", async () => {
      const gw = gateway(store);
      const first = await embed(gw, ["a1", "b1"]);
      expect(first.headers.get("x-cache")).toBe("MISS");
      const second = await embed(gw, ["a1", "b1", "c1"]);
      expect(second.headers.get("x-cache")).toBe("PARTIAL");
      expect(second.headers.get("x-cache-hits")).toBe("2");
      expect(second.headers.get("x-cache-misses")).toBe("1");
      const stats = await gw.stats();
      expect(stats.embedded).toEqual({ a1: 1, b1: 1, c1: 1 });
      expect(stats.bodies[1].input).toEqual(["c1"]);
      const body = (await second.json()) as any;
      expect(Float32Array.from(body.data[2].embedding)).toEqual(standInVector(MODEL, "c1", 1024));
      expect(Float32Array.from(body.data[0].embedding)).toEqual(standInVector(MODEL, "a1", 1024));
    });

    it("Should collapse duplicates inside one request and still answer every position", async () => {
      const gw = gateway(store);
      const res = await embed(gw, ["dup", "dup", "other"], { encoding_format: "base64" });
      const body = (await res.json()) as any;
      expect(body.data).toHaveLength(3);
      expect(body.data[0].embedding).toBe(body.data[1].embedding);
      expect(body.data[2].embedding).not.toBe(body.data[0].embedding);
      const stats = await gw.stats();
      expect(stats.bodies[0].input).toEqual(["dup", "other"]);
    });

    it("Should answer a repeat entirely from KV with zero usage and no upstream call", async () => {
      const gw = gateway(store);
      const first = (await (await embed(gw, ["x", "y"])).json()) as any;
      const res = await embed(gw, ["y", "x"]);
      expect(res.headers.get("x-cache")).toBe("HIT");
      const body = (await res.json()) as any;
      expect(body.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
      expect(body.data[0].embedding).toEqual(first.data[1].embedding);
      expect((await gw.stats()).calls.embeddings).toBe(1);
    });

    it("Should make one upstream call for concurrent identical requests", async () => {
      const gw = gateway(store);
      await gw.fault({ kind: "delay", ms: 150 });
      const texts = ["same-1", "same-2"];
      const responses = await Promise.all([embed(gw, texts), embed(gw, texts), embed(gw, texts)]);
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as any[];
      expect(bodies[1].data[0].embedding).toEqual(bodies[0].data[0].embedding);
      expect(bodies[2].data[1].embedding).toEqual(bodies[0].data[1].embedding);
      const stats = await gw.stats();
      expect(stats.calls.embeddings).toBe(1);
      expect(stats.embedded).toEqual({ "same-1": 1, "same-2": 1 });
    });

    it("Should treat the same text under another upstream base URL as a miss", async () => {
      const one = gateway(store);
      const two = gateway(store);
      await embed(one, "shared text");
      const res = await embed(two, "shared text");
      expect(res.headers.get("x-cache")).toBe("MISS");
      expect((await two.stats()).embedded).toEqual({ "shared text": 1 });
    });

    it("Should skip the cache read on a server key's Cache-Control: no-cache and skip the write on no-store", async () => {
      const gw = gateway({ ...store, AUTH_MODE: "key" });
      const key = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
      await embed(gw, "fresh", {}, { ...key, "cache-control": "no-store" });
      const afterNoStore = await embed(gw, "fresh", {}, key);
      expect(afterNoStore.headers.get("x-cache")).toBe("MISS");
      const noCache = await embed(gw, "fresh", {}, { ...key, "cache-control": "no-cache" });
      expect(noCache.headers.get("x-cache")).toBe("MISS");
      expect(noCache.headers.get("x-cache-directive-ignored")).toBeNull();
      expect((await gw.stats()).embedded).toEqual({ fresh: 3 });
    });

    it("Should treat a stored value of the wrong size as a miss and replace it", async () => {
      const gw = gateway(store);
      const [key] = await storeKeysOf(gw, MODEL, ["corrupt me"]);
      await storeOf(gw).putMany([[key, "AAAA"]], 60);
      const res = await embed(gw, "corrupt me");
      expect(res.headers.get("x-cache")).toBe("MISS");
      const body = (await res.json()) as any;
      expect(body.data[0].embedding).toHaveLength(1024);
      expect((await storeOf(gw).getMany([key])).get(key)!.length).toBe(5464);
    });

    it("Should split a batch larger than the model's max_batch into several upstream calls, in order", async () => {
      const gw = gateway(store);
      const texts = Array.from({ length: 10 }, (_, i) => `tiny ${i}`);
      const res = await gw.post("/v1/embeddings", { model: "test/tiny-embed", input: texts });
      const body = (await res.json()) as any;
      texts.forEach((text, i) => expect(Float32Array.from(body.data[i].embedding)).toEqual(standInVector("test/tiny-embed", text, 8)));
      const stats = await gw.stats();
      expect(stats.calls.embeddings).toBe(3);
      expect(stats.bodies.every((b) => b.input.length <= 4)).toBe(true);
    });

    it("Should ask the upstream for base64 and forward only model, input and encoding_format", async () => {
      const gw = gateway(store);
      await embed(gw, "what is sent", { user: "someone" });
      const [sent] = (await gw.stats()).bodies;
      expect(sent).toEqual({ model: MODEL, input: ["what is sent"], encoding_format: "base64" });
    });
  });
});

// Issue #10: what a stored value, a document or an input claims is checked before it reaches a
// client, a cache key or the upstream. Each test names what a client would notice.
import { afterEach, describe, expect, it, vi } from "vitest";
import { floatsToBase64 } from "../../worker/codec/vector-base64";
import { standInDocumentText, standInScore, standInVector } from "../upstream/together-stand-in";
import { decodeBase64Vector, gateway, STORE_VARIANTS, storeKeysOf, storeOf } from "./gateway";

const EMBED_MODEL = "test/tiny-embed";
const RERANK_MODEL = "Salesforce/Llama-Rank-v1";
const QUERY = "Which animals live near Peru?";
// The store answers every read (no memory tier, and a deadline no local read misses).
const STORE_ONLY = STORE_VARIANTS.filter((variant) => variant.vars.MEMORY_CACHE_BYTES === "0").map((variant) => ({
  name: variant.name,
  vars: { ...(variant.vars as Record<string, string>), STORE_READ_DEADLINE_MS: "5000" },
}));

type Gateway = ReturnType<typeof gateway>;

/** The store key the gateway uses for `text` embedded by the Together stand-in. */
async function embedKey(gw: Gateway, text: string): Promise<string> {
  return (await storeKeysOf(gw, EMBED_MODEL, [text]))[0];
}

/** The store key the gateway uses for the score of a string document against `query`. */
async function rerankKey(gw: Gateway, query: string, document: string): Promise<string> {
  return (await storeKeysOf(gw, RERANK_MODEL, [document], query))[0];
}

/** The body as text, which must parse as JSON whatever the store held. */
async function jsonOf(res: Response): Promise<any> {
  const text = await res.text();
  expect(() => JSON.parse(text)).not.toThrow();
  return JSON.parse(text);
}

const postRaw = (gw: Gateway, path: string, body: string) =>
  gw.request(path, { method: "POST", body, headers: { "content-type": "application/json" } });

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(STORE_ONLY)("cached values that lie ($name)", ({ vars }) => {
  const text = "a vector the store damaged";
  const canonical = floatsToBase64(standInVector(EMBED_MODEL, text, 8));
  const damaged = (ch: string) => `${canonical.slice(0, 10)}${ch}${canonical.slice(11)}`;

  for (const [name, bad] of [
    ["a quote", damaged('"')],
    ["a backslash", damaged("\\")],
  ]) {
    it(`Should treat a cached vector with ${name} inside as a miss for float and base64 clients, answering valid JSON`, async () => {
      const gw = gateway(vars);
      const key = await embedKey(gw, text);
      expect(bad).toHaveLength(canonical.length);
      for (const encoding_format of ["float", "base64"]) {
        await storeOf(gw).putMany([[key, bad]], 600);
        const res = await gw.post("/v1/embeddings", { model: EMBED_MODEL, input: [text], encoding_format });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-cache")).toBe("MISS");
        const body = await jsonOf(res);
        const vector = encoding_format === "float" ? Float32Array.from(body.data[0].embedding) : decodeBase64Vector(body.data[0].embedding);
        expect(vector).toEqual(standInVector(EMBED_MODEL, text, 8));
        expect((await storeOf(gw).getMany([key])).get(key)).toBe(canonical);
      }
      expect((await gw.stats()).calls.embeddings).toBe(2);
    });
  }

  it("Should treat a cached vector with a line break inside as a miss, so base64 clients still get valid JSON", async () => {
    // Right length, decodes to eight finite floats (Uint8Array.fromBase64 skips white space), but a raw
    // line break inside a JSON string is not JSON.
    const gw = gateway(vars);
    const key = await embedKey(gw, text);
    await storeOf(gw).putMany([[key, `${canonical.slice(0, 20)}\n${canonical.slice(20, -1)}`]], 600);
    const res = await gw.post("/v1/embeddings", { model: EMBED_MODEL, input: text, encoding_format: "base64" });
    const body = await jsonOf(res);
    expect(body.data[0].embedding).toBe(canonical);
  });

  it("Should treat stored scores '0.5garbage' and '0x10' as misses: refetched, overwritten and counted in a log line", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const gw = gateway(vars);
    const documents = ["llamas live in Peru", "pandas live in China", "guanacos are camelids"];
    const keys = await Promise.all(documents.map((doc) => rerankKey(gw, QUERY, doc)));
    // The third is a score as the gateway writes it: a hit, served as stored.
    await storeOf(gw).putMany(
      [
        [keys[0], "0.5garbage"],
        [keys[1], "0x10"],
        [keys[2], "0.25"],
      ],
      600,
    );

    const res = await gw.post("/v1/rerank", { model: RERANK_MODEL, query: QUERY, documents });
    expect(res.headers.get("x-cache")).toBe("PARTIAL");
    expect(res.headers.get("x-cache-misses")).toBe("2");
    const body = await jsonOf(res);
    const score = Object.fromEntries(body.results.map((r: any) => [r.index, r.relevance_score]));
    expect(score).toEqual({ 0: standInScore(QUERY, documents[0]), 1: standInScore(QUERY, documents[1]), 2: 0.25 });

    const stats = await gw.stats();
    expect(stats.bodies.map((b) => b.documents)).toEqual([documents.slice(0, 2)]);
    const stored = await storeOf(gw).getMany(keys);
    expect(keys.map((key) => stored.get(key))).toEqual([
      String(standInScore(QUERY, documents[0])),
      String(standInScore(QUERY, documents[1])),
      "0.25",
    ]);

    const lines = warn.mock.calls.map((args) => String(args[0])).filter((line) => line.includes("invalid cached values ignored"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "warn", count: 2, request_id: res.headers.get("x-request-id") });
  });
});

describe("object documents keep every own field", () => {
  for (const field of ["__proto__", "constructor"]) {
    it(`Should send, echo and cache a document with its own '${field}' field apart from the same document without it`, async () => {
      const gw = gateway({ MEMORY_CACHE_BYTES: "0" });
      // Sent as raw JSON: an object literal with `__proto__` would set the prototype, not a field.
      const withField = `{"text":"llamas live in Peru","${field}":{"kept":true}}`;
      const body = (documents: string, extra = "") =>
        `{"model":"${RERANK_MODEL}","query":${JSON.stringify(QUERY)},"documents":[${documents}],"return_documents":true${extra}}`;

      const first = await postRaw(gw, "/v1/rerank", body(withField));
      expect(first.status).toBe(200);
      expect(first.headers.get("x-cache")).toBe("MISS");
      const answer = await jsonOf(first);
      expect(answer.results[0].document.text).toBe(withField);
      expect(answer.results[0].relevance_score).toBe(standInScore(QUERY, withField));

      const withoutField = await postRaw(gw, "/v1/rerank", body('{"text":"llamas live in Peru"}'));
      expect(withoutField.headers.get("x-cache")).toBe("MISS");

      const again = await postRaw(gw, "/v1/rerank", body(withField));
      expect(again.headers.get("x-cache")).toBe("HIT");

      const stats = await gw.stats();
      expect(stats.calls.rerank).toBe(2);
      const sent = stats.bodies[0].documents[0];
      expect(Object.hasOwn(sent, field)).toBe(true);
      expect(JSON.stringify(sent)).toBe(withField);
      expect(JSON.stringify(stats.bodies[1].documents[0])).toBe('{"text":"llamas live in Peru"}');
    });

    it(`Should rank on a '${field}' field named in rank_fields and cache by it`, async () => {
      const gw = gateway({ MEMORY_CACHE_BYTES: "0" });
      const body = (document: string) =>
        `{"model":"${RERANK_MODEL}","query":${JSON.stringify(QUERY)},"documents":[${document}],"rank_fields":["${field}","text"]}`;
      const withField = `{"text":"llamas","${field}":"Peru"}`;
      const res = await postRaw(gw, "/v1/rerank", body(withField));
      expect(res.status).toBe(200);
      expect((await jsonOf(res)).results[0].relevance_score).toBe(
        standInScore(QUERY, standInDocumentText(JSON.parse(withField), [field, "text"])),
      );
      const other = await postRaw(gw, "/v1/rerank", body(`{"text":"llamas","${field}":"China"}`));
      expect(other.headers.get("x-cache")).toBe("MISS");
      const stats = await gw.stats();
      expect(stats.bodies[0].rank_fields).toEqual([field, "text"]);
      expect(stats.calls.rerank).toBe(2);
    });
  }

  it("Should refuse a top-level '__proto__' field like any unknown field, without calling the upstream", async () => {
    const gw = gateway();
    const res = await postRaw(gw, "/v1/embeddings", `{"model":"${EMBED_MODEL}","input":"x","__proto__":{"dimensions":3}}`);
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ code: "unknown_parameter", param: "__proto__" });
    expect((await gw.stats()).bodies).toHaveLength(0);
  });
});

describe("lone surrogates are refused, U+FFFD is text", () => {
  it("Should refuse a lone surrogate in input[1] with a 400 naming input[1] and the position", async () => {
    const gw = gateway();
    for (const [bad, position] of [
      ["ab\ud800cd", 2],
      ["\udc00", 0],
      ["emoji 🦙 then\ud83d", 13],
    ] as const) {
      const res = await gw.post("/v1/embeddings", { model: EMBED_MODEL, input: ["fine", bad] });
      expect(res.status).toBe(400);
      const { error } = await jsonOf(res);
      expect(error).toMatchObject({ param: "input[1]", code: "invalid_unicode", type: "invalid_request_error" });
      expect(error.message).toContain("input[1]");
      expect(error.message).toContain(`position ${position}`);
    }
    expect((await gw.stats()).bodies).toHaveLength(0);
  });

  it("Should accept a real U+FFFD and never answer a lone surrogate from its cache entry, in either order", async () => {
    // UTF-8 would turn the lone surrogate into U+FFFD, and so into the same key: it must never get there.
    const gw = gateway();
    const embed = (input: string) => gw.post("/v1/embeddings", { model: EMBED_MODEL, input: [input] });
    expect((await embed("ab\ud800cd")).status).toBe(400);

    const replacement = await embed("ab\ufffdcd");
    expect(replacement.status).toBe(200);
    expect(replacement.headers.get("x-cache")).toBe("MISS");
    expect(Float32Array.from((await jsonOf(replacement)).data[0].embedding)).toEqual(standInVector(EMBED_MODEL, "ab\ufffdcd", 8));

    expect((await embed("ab\ud800cd")).status).toBe(400);
    expect((await embed("ab\ufffdcd")).headers.get("x-cache")).toBe("HIT");
    const stats = await gw.stats();
    expect(stats.calls.embeddings).toBe(1);
    expect(stats.embedded).toEqual({ "ab\ufffdcd": 1 });
  });

  it("Should refuse a lone surrogate in a rerank query or string document, naming it", async () => {
    const gw = gateway();
    const query = await gw.post("/v1/rerank", { model: RERANK_MODEL, query: "llama\udfff", documents: ["a"] });
    expect((await jsonOf(query)).error).toMatchObject({ param: "query", code: "invalid_unicode" });
    const doc = await gw.post("/v1/rerank", { model: RERANK_MODEL, query: "q", documents: ["a", "b", "\ud800c"] });
    expect((await jsonOf(doc)).error).toMatchObject({ param: "documents[2]", code: "invalid_unicode" });
    expect((await gw.stats()).bodies).toHaveLength(0);
  });
});

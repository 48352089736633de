import { describe, expect, it } from "vitest";
import { itemHashes, type KeyScope, keyPrefix, sha256Hex } from "./keys";

const BASE: KeyScope = { kind: "emb", namespace: "together|https://api.together.ai/v1", model: "BAAI/bge-large-en-v1.5" };

describe("cache keys: prefixes", () => {
  it("Should give the same scope the same prefix every time", async () => {
    const first = await keyPrefix(BASE);
    expect(await keyPrefix({ ...BASE })).toBe(first);
    expect(first).toMatch(/^ee2\/emb\/[0-9a-f]{16}\/BAAI\/bge-large-en-v1\.5\/$/);
  });

  it("Should give each kind, provider namespace, model, set of params and query its own prefix", async () => {
    const scopes: KeyScope[] = [
      BASE,
      { ...BASE, kind: "rr", query: "q" },
      { ...BASE, namespace: "together|https://my-proxy.example.com/v1" },
      { ...BASE, namespace: "workers-ai|https://api.cloudflare.com/client/v4|account-1" },
      { ...BASE, model: "BAAI/bge-base-en-v1.5" },
      { ...BASE, params: { pooling: "cls" } },
      { ...BASE, params: { pooling: "mean" } },
      { ...BASE, kind: "rr", query: "another query" },
      { ...BASE, kind: "rr", query: "q", model: "other" },
    ];
    const prefixes = await Promise.all(scopes.map(keyPrefix));
    expect(new Set(prefixes).size).toBe(scopes.length);
  });

  it("Should treat empty params like no params", async () => {
    expect(await keyPrefix({ ...BASE, params: {} })).toBe(await keyPrefix(BASE));
  });

  it("Should keep rerank scores of queries that differ only in case, space or normalisation apart", async () => {
    const queries = ["Peru", "peru", "Peru ", "e\u0301", "\u00e9"];
    const prefixes = await Promise.all(queries.map((query) => keyPrefix({ ...BASE, kind: "rr", query })));
    expect(new Set(prefixes).size).toBe(queries.length);
  });

  it("Should put neither the query nor the namespace in clear text into a key", async () => {
    const prefix = await keyPrefix({
      ...BASE,
      kind: "rr",
      namespace: "openai|https://secret-host.internal/v1",
      query: "my private question",
    });
    expect(prefix).not.toContain("private");
    expect(prefix).not.toContain("secret-host");
  });
});

describe("cache keys: item hashes", () => {
  it("Should hash each item as SHA-256 of its UTF-8 text", async () => {
    expect(await itemHashes(["abc"])).toEqual(["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]);
    expect((await itemHashes(["骆驼 🦙"]))[0]).toBe(await sha256Hex("骆驼 🦙"));
  });

  it("Should give equal texts equal hashes and different texts different ones, in request order", async () => {
    const hashes = await itemHashes(["a", "b", "a", "A", "a "]);
    expect(hashes).toHaveLength(5);
    expect(hashes[0]).toBe(hashes[2]);
    expect(new Set(hashes).size).toBe(4);
    expect(hashes[1]).toBe((await itemHashes(["b"]))[0]);
  });

  it("Should answer no hashes for no items", async () => {
    expect(await itemHashes([])).toEqual([]);
  });

  it("Should hash a lone surrogate like U+FFFD, which is why the routes refuse lone surrogates first", async () => {
    // UTF-8 cannot carry a lone surrogate: TextEncoder writes U+FFFD for it.
    const [lone, replacement] = await itemHashes(["a\ud800b", "a\ufffdb"]);
    expect(lone).toBe(replacement);
  });
});

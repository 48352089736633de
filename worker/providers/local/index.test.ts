import { describe, expect, it } from "vitest";
import { ApiError } from "../../errors";
import { LOCAL_MODELS, localProvider } from "./index";

const ctx = { requestId: "test-request" };

describe("local provider", () => {
  it("Should identify as the cacheable-embeddings, never-cached-rerank local provider", () => {
    const local = localProvider();
    expect(local).toMatchObject({ name: "local", kind: "local", namespace: "local/v1", cacheable: { embed: true, rerank: false } });
  });

  it("Should list its two models with the sizes the embeddings really have", async () => {
    expect(LOCAL_MODELS.map((m) => [m.id, m.type])).toEqual([
      ["local/lexical-embed", "embedding"],
      ["local/bm25-rerank", "rerank"],
    ]);
    const { vectors } = await localProvider().embed(ctx, "local/lexical-embed", ["size check"]);
    expect(LOCAL_MODELS[0].dimensions).toBe(vectors[0].length);
  });

  it("Should embed texts in order and bill their words and punctuation as tokens", async () => {
    const { vectors, usage } = await localProvider().embed(ctx, "local/lexical-embed", ["Hello, world!", "llama", "Hello, world!"]);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(usage).toEqual({ prompt_tokens: 4 + 1 + 4, completion_tokens: 0, total_tokens: 9 });
  });

  it("Should rerank document texts and bill the query once per document plus the documents", async () => {
    const docs = [
      { text: "The llama is a South American pack animal." },
      { text: "The giant panda lives in China.", object: { title: "Panda" } },
    ];
    const { scores, usage } = await localProvider().rerank(ctx, "local/bm25-rerank", "Which animal lives in South America?", docs);
    expect(scores).toHaveLength(2);
    expect(scores[0]).toBeGreaterThan(scores[1]);
    // Query: 7 tokens ("?" included) x 2 documents; documents: 9 + 7.
    expect(usage).toEqual({ prompt_tokens: 7 * 2 + 9 + 7, completion_tokens: 0, total_tokens: 30 });
  });

  it("Should refuse a model it does not serve with a 400 upstream_rejected", async () => {
    const local = localProvider();
    for (const attempt of [
      local.embed(ctx, "BAAI/bge-large-en-v1.5", ["x"]),
      local.embed(ctx, "local/bm25-rerank", ["x"]),
      local.rerank(ctx, "local/lexical-embed", "q", [{ text: "d" }]),
    ]) {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 400, code: "upstream_rejected", param: "model" });
    }
  });
});

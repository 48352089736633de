// The SDKs against every provider that serves their call, through the gateway under `wrangler dev`.
import { createTogetherAI } from "@ai-sdk/togetherai";
import { embedMany, rerank } from "ai";
import OpenAI from "openai";
import Together from "together-ai";
import { describe, expect, inject, it } from "vitest";
import { sigmoid } from "../../worker/providers/workers-ai";
import { standInScore } from "../upstream/deterministic";
import { openAiStandInVector } from "../upstream/openai-stand-in";
import { workersAiRerankScore, workersAiStandInVector } from "../upstream/workers-ai-stand-in";

const baseURL = `${inject("gatewayURL")}/v1`;
const serverKey = inject("serverKey");
const run = Date.now().toString(36);
const QUERY = "What animals can I find near Peru?";
const DOCS = ["llamas live near Peru", "pandas live in China", "a recipe for bread"];

describe("SDKs through each provider", () => {
  const openai = new OpenAI({ apiKey: serverKey, baseURL });
  const together = new Together({ apiKey: serverKey, baseURL });
  const vercel = createTogetherAI({ apiKey: serverKey, baseURL });

  it("Should give the openai SDK shortened OpenAI vectors (dimensions: 256) with its default base64", async () => {
    const text = `openai provider ${run}`;
    const response = await openai.embeddings.create({ model: "text-embedding-3-small", input: text, dimensions: 256 });
    const expected = openAiStandInVector("text-embedding-3-small", text, 256);
    expect(response.data[0].embedding).toHaveLength(256);
    response.data[0].embedding.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("Should give the openai SDK Workers AI vectors under the BAAI id", async () => {
    const text = `workers ai ${run}`;
    const response = await openai.embeddings.create({ model: "BAAI/bge-small-en-v1.5", input: [text] });
    expect(Float32Array.from(response.data[0].embedding)).toEqual(workersAiStandInVector("@cf/baai/bge-small-en-v1.5", text, "cls"));
  });

  it("Should rerank through Workers AI with the together-ai SDK", async () => {
    const response = await together.rerank.create({ model: "BAAI/bge-reranker-base", query: QUERY, documents: DOCS, top_n: 1 });
    const best = DOCS.map((d, index) => ({ index, score: sigmoid(workersAiRerankScore(QUERY, d)) })).sort((a, b) => b.score - a.score)[0];
    expect(response.results).toEqual([{ index: best.index, relevance_score: best.score }]);
  });

  it("Should rerank through a Cohere-shaped upstream with the Vercel ai SDK", async () => {
    const result = await rerank({ model: vercel.reranking("rerank-v3.5"), query: QUERY, documents: DOCS, topN: 2 });
    const order = DOCS.map((d, index) => ({ index, score: standInScore(QUERY, d) })).sort((a, b) => b.score - a.score);
    expect(result.ranking.map((r) => r.originalIndex)).toEqual(order.slice(0, 2).map((o) => o.index));
  });

  it("Should embedMany 3,000 values with the Vercel ai SDK unchanged (split into upstream batches of 100)", async () => {
    const values = Array.from({ length: 3000 }, (_, i) => `many ${run} ${i}`);
    const { embeddings } = await embedMany({ model: vercel.embeddingModel("BAAI/bge-small-en-v1.5"), values });
    expect(embeddings).toHaveLength(3000);
    for (const i of [0, 1499, 2999])
      expect(Float32Array.from(embeddings[i])).toEqual(workersAiStandInVector("@cf/baai/bge-small-en-v1.5", values[i], "cls"));
  });

  it("Should list models in each SDK's shape: a bare array for together-ai, a page for openai", async () => {
    const fromTogether = await together.models.list();
    expect(Array.isArray(fromTogether)).toBe(true);
    const ids = fromTogether.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["BAAI/bge-small-en-v1.5", "text-embedding-3-small", "rerank-v3.5"]));
    const fromOpenAi = [];
    for await (const model of openai.models.list()) fromOpenAi.push(model.id);
    expect(fromOpenAi).toEqual(ids);
  });
});

// Real third-party clients against the gateway under `wrangler dev`, changing nothing but the base URL.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createTogetherAI } from "@ai-sdk/togetherai";
import { embedMany, rerank } from "ai";
import OpenAI from "openai";
import Together from "together-ai";
import { describe, expect, inject, it } from "vitest";
import { DOCS_ANIMALS, DOCS_QUERY } from "../setup/docs-examples";
import { standInScore, standInVector } from "../upstream/together-stand-in";

const gatewayURL = inject("gatewayURL");
const serverKey = inject("serverKey");
const upstreamURL = inject("upstreamURL");
const baseURL = `${gatewayURL}/v1`;
const EMBED_MODEL = "BAAI/bge-large-en-v1.5";
const RERANK_MODEL = "Salesforce/Llama-Rank-v1";
const run = Date.now().toString(36);

const ANIMALS = DOCS_ANIMALS;
const QUERY = DOCS_QUERY;
const expectedOrder = (docs: unknown[]) =>
  docs
    .map((d, index) => ({ index, score: standInScore(QUERY, typeof d === "string" ? d : JSON.stringify(d)) }))
    .sort((a, b) => b.score - a.score)
    .map((r) => r.index);

const expectVector = (actual: ArrayLike<number>, text: string) =>
  expect(Float32Array.from(actual)).toEqual(standInVector(EMBED_MODEL, text, 1024));

describe("together-ai SDK", () => {
  const client = new Together({ apiKey: serverKey, baseURL });

  it("Should embed like the Together docs example", async () => {
    const response = await client.embeddings.create({ model: EMBED_MODEL, input: `New York City ${run}` });
    expect(response.data[0].embedding).toHaveLength(1024);
    expectVector(response.data[0].embedding, `New York City ${run}`);
  });

  it("Should rerank the docs example's documents in score order", async () => {
    const response = await client.rerank.create({
      model: RERANK_MODEL,
      query: QUERY,
      documents: ANIMALS,
      top_n: 2,
      return_documents: true,
    });
    expect(response.results.map((r) => r.index)).toEqual(expectedOrder(ANIMALS).slice(0, 2));
    expect(JSON.parse(response.results[0].document!.text!)).toEqual(ANIMALS[response.results[0].index]);
  });

  it("Should surface gateway errors as the SDK's typed errors", async () => {
    await expect(client.embeddings.create({ model: "no/such-model", input: "x" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("openai SDK", () => {
  const client = new OpenAI({ apiKey: serverKey, baseURL });

  it("Should get correct vectors with the SDK's default base64 encoding", async () => {
    const texts = [`openai default ${run} a`, `openai default ${run} b`];
    const response = await client.embeddings.create({ model: EMBED_MODEL, input: texts });
    texts.forEach((text, i) => expectVector(response.data[i].embedding, text));
    const upstream = await (await fetch(`${upstreamURL}/t/node/_stats`, { method: "POST" })).json();
    expect(upstream.embedded[texts[0]]).toBe(1);
  });

  it("Should get correct vectors with an explicit float encoding, served from cache", async () => {
    const text = `openai default ${run} a`;
    const raw = await client.embeddings.create({ model: EMBED_MODEL, input: [text], encoding_format: "float" }).withResponse();
    expectVector(raw.data.data[0].embedding, text);
    expect(raw.response.headers.get("x-cache")).toBe("HIT");
  });
});

describe("Vercel ai SDK with @ai-sdk/togetherai", () => {
  const together = createTogetherAI({ apiKey: serverKey, baseURL });

  it("Should embedMany in order", async () => {
    const values = Array.from({ length: 5 }, (_, i) => `vercel ${run} ${i}`);
    const { embeddings } = await embedMany({ model: together.embeddingModel(EMBED_MODEL), values });
    values.forEach((text, i) => expectVector(embeddings[i], text));
  });

  it("Should rerank with usage and results in order", async () => {
    const documents = ["llamas near Peru", "pandas in China", "animals find Peru guanaco", "bread recipe"];
    const result = await rerank({ model: together.reranking(RERANK_MODEL), query: QUERY, documents, topN: 3 });
    expect(result.ranking.map((r) => r.originalIndex)).toEqual(expectedOrder(documents).slice(0, 3));
    expect(result.rerankedDocuments[0]).toBe(documents[expectedOrder(documents)[0]]);
  });
});

describe("the Together docs' curl examples", () => {
  const curl = async (path: string, body: string) => {
    const { stdout } = await promisify(execFile)("curl", [
      "-sS",
      "-X",
      "POST",
      `${baseURL}${path}`,
      "-H",
      `Authorization: Bearer ${serverKey}`,
      "-H",
      "Content-Type: application/json",
      "-d",
      body,
    ]);
    return JSON.parse(stdout);
  };

  it("Should answer the embeddings curl example", async () => {
    const json = await curl("/embeddings", `{\n  "model": "BAAI/bge-large-en-v1.5",\n  "input": "New York City"\n}`);
    expect(json.object).toBe("list");
    expectVector(json.data[0].embedding, "New York City");
  });

  it("Should answer the rerank curl example", async () => {
    const json = await curl("/rerank", JSON.stringify({ model: RERANK_MODEL, query: QUERY, documents: ANIMALS }));
    expect(json.object).toBe("rerank");
    expect(json.results.map((r: any) => r.index)).toEqual(expectedOrder(ANIMALS));
    expect(Number.isInteger(json.usage.total_tokens)).toBe(true);
  });
});

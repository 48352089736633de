import type { ModelSpecInput } from "./schema";

const CLS = { pooling: "cls" } as const satisfies Record<string, unknown>;

/**
 * The built-in catalogue, checked against the providers' docs in November 2026. Every public id
 * names one model wherever it is served: `BAAI/bge-large-en-v1.5` is only ever BGE large (Workers AI
 * runs it with the CLS pooling BAAI specifies; its `mean` default is a different vector space), so
 * without a provider that serves it the gateway says which variables to set rather than using
 * another model. `MODELS` extends this list; an entry with a built-in's id replaces it.
 */
export const BUILTIN_MODELS: readonly ModelSpecInput[] = [
  // Workers AI (REST API, at most 100 texts a call).
  ...(
    [
      ["BAAI/bge-small-en-v1.5", "@cf/baai/bge-small-en-v1.5", 384, 0.02],
      ["BAAI/bge-base-en-v1.5", "@cf/baai/bge-base-en-v1.5", 768, 0.067],
      ["BAAI/bge-large-en-v1.5", "@cf/baai/bge-large-en-v1.5", 1024, 0.204],
    ] as const
  ).map(([id, cf, dimensions, price]) => ({
    id,
    type: "embedding" as const,
    dimensions,
    context_length: 512,
    max_batch: 100,
    aliases: [cf],
    price_per_million_tokens: price,
    routes: [{ provider: "workers-ai", model: cf, params: CLS }],
  })),
  {
    id: "BAAI/bge-m3",
    type: "embedding",
    dimensions: 1024,
    context_length: 8192,
    max_batch: 100,
    aliases: ["@cf/baai/bge-m3"],
    price_per_million_tokens: 0.012,
    routes: [{ provider: "workers-ai", model: "@cf/baai/bge-m3" }],
  },
  {
    id: "google/embeddinggemma-300m",
    type: "embedding",
    dimensions: 768,
    context_length: 2048,
    max_batch: 100,
    matryoshka: true,
    aliases: ["@cf/google/embeddinggemma-300m"],
    routes: [{ provider: "workers-ai", model: "@cf/google/embeddinggemma-300m" }],
  },
  {
    id: "Qwen/Qwen3-Embedding-0.6B",
    type: "embedding",
    dimensions: 1024,
    context_length: 32768,
    max_batch: 100,
    matryoshka: true,
    aliases: ["@cf/qwen/qwen3-embedding-0.6b"],
    routes: [{ provider: "workers-ai", model: "@cf/qwen/qwen3-embedding-0.6b" }],
  },
  {
    id: "BAAI/bge-reranker-base",
    type: "rerank",
    context_length: 512,
    max_batch: 100,
    aliases: ["@cf/baai/bge-reranker-base"],
    description: "Raw scores are mapped into 0-1 with a sigmoid.",
    routes: [{ provider: "workers-ai", model: "@cf/baai/bge-reranker-base" }],
  },
  // OpenAI (or any OpenAI-compatible upstream configured as `openai`).
  {
    id: "text-embedding-3-small",
    type: "embedding",
    dimensions: 1536,
    context_length: 8191,
    max_batch: 2048,
    matryoshka: true,
    price_per_million_tokens: 0.02,
    routes: [{ provider: "openai", model: "text-embedding-3-small" }],
  },
  {
    id: "text-embedding-3-large",
    type: "embedding",
    dimensions: 3072,
    context_length: 8191,
    max_batch: 2048,
    matryoshka: true,
    price_per_million_tokens: 0.13,
    routes: [{ provider: "openai", model: "text-embedding-3-large" }],
  },
  {
    id: "text-embedding-ada-002",
    type: "embedding",
    dimensions: 1536,
    context_length: 8191,
    max_batch: 2048,
    price_per_million_tokens: 0.1,
    routes: [{ provider: "openai", model: "text-embedding-ada-002" }],
  },
  // Together: rerank on dedicated endpoints (set a route's `model` to your endpoint's name).
  {
    id: "Salesforce/Llama-Rank-V1",
    type: "rerank",
    context_length: 8192,
    max_batch: 256,
    aliases: ["Salesforce/Llama-Rank-v1"],
    routes: [{ provider: "together", model: "Salesforce/Llama-Rank-v1" }],
  },
  {
    id: "mixedbread-ai/Mxbai-Rerank-Large-V2",
    type: "rerank",
    context_length: 32768,
    max_batch: 256,
    routes: [{ provider: "together", model: "mixedbread-ai/Mxbai-Rerank-Large-V2" }],
  },
  // Computed inside the worker (LOCAL_PROVIDER=on, and in `npm run dev`): lexical, not semantic.
  {
    id: "local/lexical-embed",
    type: "embedding",
    dimensions: 384,
    context_length: 8192,
    max_batch: 2048,
    price_per_million_tokens: 0,
    description: "Lexical (hashed word and character n-grams): for development and demos, not semantic.",
    routes: [{ provider: "local", model: "local/lexical-embed" }],
  },
  {
    id: "local/bm25-rerank",
    type: "rerank",
    context_length: 8192,
    max_batch: 1000,
    price_per_million_tokens: 0,
    description: "BM25 over the request's documents: lexical, for development and demos.",
    routes: [{ provider: "local", model: "local/bm25-rerank" }],
  },
  // Cohere-shaped rerank.
  {
    id: "rerank-v3.5",
    type: "rerank",
    context_length: 4096,
    max_batch: 1000,
    routes: [{ provider: "cohere", model: "rerank-v3.5" }],
  },
];

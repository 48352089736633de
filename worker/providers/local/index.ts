import type { Usage } from "../../common/token-usage";
import { ApiError } from "../../errors";
import { type ProviderDescriptor, str } from "../settings";
import type { Provider } from "../types";
import { bm25Scores } from "./bm25";
import { LEXICAL_DIMENSIONS, lexicalEmbed } from "./lexical-embed";
import { approxTokenCount } from "./tokenize";

export const LOCAL_EMBED_MODEL = "local/lexical-embed";
export const LOCAL_RERANK_MODEL = "local/bm25-rerank";

/** A catalogue entry as the local provider describes its models. */
export interface LocalModelEntry {
  id: string;
  type: "embedding" | "rerank";
  dimensions?: number;
  context_length: number;
  max_batch: number;
  description: string;
}

/** The models computed inside the worker: no upstream, no key, no cost. */
export const LOCAL_MODELS: readonly LocalModelEntry[] = [
  {
    id: LOCAL_EMBED_MODEL,
    type: "embedding",
    dimensions: LEXICAL_DIMENSIONS,
    context_length: 8192,
    max_batch: 2048,
    description: "Lexical (hashed word and character n-grams): for development and demos, not semantic",
  },
  {
    id: LOCAL_RERANK_MODEL,
    type: "rerank",
    context_length: 8192,
    max_batch: 1000,
    description: "BM25 over the request's documents: lexical, for development and demos",
  },
];

function refuse(model: string, task: string, served: string): ApiError {
  return new ApiError(400, "upstream_rejected", `The local provider has no ${task} model "${model}"; it serves "${served}".`, {
    param: "model",
  });
}

const promptUsage = (tokens: number): Usage => ({ prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens });

/** The local provider always serves both tasks, so callers need not check for them. */
export type LocalProvider = Provider & Required<Pick<Provider, "embed" | "rerank">>;

/**
 * Models computed in the worker itself, deterministic and dependency-free: hashed lexical embeddings
 * and BM25 rerank. For development, demos and tests without an upstream; lexical, not semantic.
 * Usage counts approximate tokens (words plus punctuation runs), as if billed.
 *
 * @example
 * const local = localProvider();
 * const { vectors } = await local.embed({ requestId: "r1" }, "local/lexical-embed", ["hello"]);
 */
export function localProvider(): LocalProvider {
  return {
    name: "local",
    kind: "local",
    // Cached vectors depend on the algorithm (tokenizer, hash, seeds, weights, dimensions): bump this
    // suffix whenever it changes, or caches keep serving the old vectors.
    namespace: "local/v1",
    // BM25's IDF comes from the request's whole document set, so a (query, document) score is not
    // a property of the pair and must never be cached per pair. Embeddings are per text.
    cacheable: { embed: true, rerank: false },
    async embed(_ctx, model, texts) {
      if (model !== LOCAL_EMBED_MODEL) throw refuse(model, "embedding", LOCAL_EMBED_MODEL);
      let tokens = 0;
      for (const text of texts) tokens += approxTokenCount(text);
      return { vectors: texts.map((text) => lexicalEmbed(text)), usage: promptUsage(tokens) };
    },
    async rerank(_ctx, model, query, documents) {
      if (model !== LOCAL_RERANK_MODEL) throw refuse(model, "rerank", LOCAL_RERANK_MODEL);
      const texts = documents.map((d) => d.text);
      // As a cross-encoder bills it: the query is read once with every document.
      let tokens = approxTokenCount(query) * texts.length;
      for (const text of texts) tokens += approxTokenCount(text);
      return { scores: bm25Scores(query, texts), usage: promptUsage(tokens) };
    },
  };
}

/** The models computed in the worker: served when `LOCAL_PROVIDER=on`. */
export const local: ProviderDescriptor = {
  kind: "local",
  defaultBaseURL: "",
  serves: { embed: true, rerank: true },
  defaultInstance(env) {
    const setting = (str(env, "LOCAL_PROVIDER") ?? "off").toLowerCase();
    if (!["on", "off", "true", "false", "1", "0"].includes(setting)) throw new Error("LOCAL_PROVIDER must be on or off");
    return {
      name: "local",
      kind: "local",
      baseURL: "",
      vars: ["LOCAL_PROVIDER=on"],
      baseVar: "LOCAL_PROVIDER",
      serves: local.serves,
      configured: ["on", "true", "1"].includes(setting),
    };
  },
  build: () => localProvider(),
};

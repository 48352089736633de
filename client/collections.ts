/**
 * Collections search for the embed-edge client, as a second entry point so the core stays within
 * its 2 KB budget: `import { withCollections } from "embed-edge-client/collections"`. Retries, abort
 * and errors are the core client's (it makes the request).
 *
 * @example
 * const ee = withCollections(createClient({ baseURL: "https://embed.example.com", token: () => getToken() }));
 * const hits = await ee.search("docs", "How do I rotate a key?", { topK: 5, include: ["text"], rerank: "Salesforce/Llama-Rank-v1" });
 */
import type { EmbedEdgeClient } from "./client.js";

/** A metadata filter in Vectorize's language: `{field: value}` or `{field: {$eq|$ne|$in|$nin|$lt|$lte|$gt|$gte: value}}`, ANDed. */
export type Filter = Record<string, unknown>;

export interface SearchOptions<M = Record<string, unknown>> {
  /** Vector candidates, 1-100 (default 10). */
  topK?: number;
  filter?: Filter;
  /** A rerank model id, or the model with how many to keep and which fields it reads. */
  rerank?: string | { model: string; topN?: number; rankFields?: string[] };
  include?: Array<"text" | "metadata">;
  signal?: AbortSignal;
  /** Only to type `metadata`. */
  metadata?: M;
}

export interface SearchResult<M = Record<string, unknown>> {
  id: string;
  /** Vector similarity under the collection's metric (euclidean: a distance, lower first). */
  score: number;
  /** Present when reranked; results are then in this order. */
  rerankScore?: number;
  text?: string;
  metadata?: M;
}

interface Hit {
  id: string;
  score: number;
  rerank_score?: number;
  text?: string;
  metadata?: unknown;
}

/** The client with `search(collection, query, options)`: best first. */
export function withCollections<C extends EmbedEdgeClient>(client: C) {
  async function search<M = Record<string, unknown>>(
    collection: string,
    query: string,
    opts: SearchOptions<M> = {},
  ): Promise<SearchResult<M>[]> {
    const r = typeof opts.rerank === "string" ? { model: opts.rerank } : opts.rerank;
    const body = {
      query,
      top_k: opts.topK,
      filter: opts.filter,
      include: opts.include,
      rerank: r && { model: r.model, top_n: r.topN, rank_fields: r.rankFields },
    };
    return client.post(
      `/collections/${encodeURIComponent(collection)}/query`,
      body,
      ({ data }: { data: Hit[] }) =>
        data.map((h) => ({ id: h.id, score: h.score, rerankScore: h.rerank_score, text: h.text, metadata: h.metadata as M })),
      opts.signal,
    );
  }
  return { ...client, search };
}

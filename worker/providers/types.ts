import type { RawVector } from "../common/raw-vector";
import type { Usage } from "../common/token-usage";

/** What every HTTP adapter needs besides its settings: the per-attempt timeout and retry count. */
export interface UpstreamLimits {
  timeoutMs: number;
  retries: number;
}

/** A wire format the gateway speaks: one folder per kind under `worker/providers/`, listed in `registry.ts`. */
export type ProviderKind = string;

export type { RawVector } from "../common/raw-vector";

/** What a rerank adapter scores: the document's text, and the object it came from, if any. */
export interface RerankDocument {
  /** A string document as is; an object document as JSON of its `rank_fields` (all fields when none). */
  text: string;
  /** The object document itself, for upstreams that take objects (Together). */
  object?: Record<string, unknown>;
  /** The request's `rank_fields`, with `object`. */
  rankFields?: readonly string[];
}

/** Per-call context an adapter may use: for logs and cancellation, never for cache decisions. */
export interface CallContext {
  requestId: string;
  /** When (epoch ms) the request's upstream work must be over: no attempt starts or lasts past it. */
  deadline?: number;
  /** Told after each upstream attempt whether it succeeded (the cache's circuit breaker counts them). */
  attempted?(ok: boolean): void;
  /** About how many bytes the upstream's answer should have, when the caller knows (vectors of a known size). */
  expectedBytes?: number;
}

/**
 * One configured upstream instance (say the default `openai`, or a `tei` of kind `openai`).
 * Adapters know their wire format, auth and error texts, and nothing about the cache.
 */
export interface Provider {
  /** Instance name, as routes in the catalogue refer to it and `X-Provider` shows it. */
  readonly name: string;
  readonly kind: ProviderKind;
  /**
   * The cache namespace: kind plus base URL or account. Two providers serving the same model id
   * never share entries because this differs.
   */
  readonly namespace: string;
  /**
   * Whether answers may be stored per item. False for scores that depend on the whole request
   * (the local BM25 reranker's IDF comes from the request's documents).
   */
  readonly cacheable: { embed: boolean; rerank: boolean };
  /** Vectors for `texts`, aligned with them; `params` are the route's extra upstream fields (`pooling`). */
  embed?(
    ctx: CallContext,
    model: string,
    texts: readonly string[],
    params?: Readonly<Record<string, unknown>>,
  ): Promise<{ vectors: RawVector[]; usage: Usage }>;
  /** Relevance scores in [0, 1] for `documents` against `query`, aligned with `documents`. */
  rerank?(
    ctx: CallContext,
    model: string,
    query: string,
    documents: readonly RerankDocument[],
  ): Promise<{ scores: number[]; usage: Usage }>;
}

/**
 * embed-edge browser client: embeddings and rerank through an embed-edge gateway, so the page
 * never holds the provider key. Zero dependencies, fetch only.
 *
 * @example
 * const ee = createClient({ baseURL: "https://embed.example.com", token: () => getToken() });
 * const [q, ...docs] = await ee.embed([question, ...passages]);
 * const best = topK(q, docs, 3);
 */

export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions {
  /** The gateway's origin, e.g. "https://embed.example.com" (with or without "/v1"). */
  baseURL: string;
  /** A server key or short-lived token, or a function returning one; called again once after a 401. */
  token?: TokenSource;
  model?: string;
  rerankModel?: string;
  /** Inject a fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 30 000). */
  timeout?: number;
  /** Retries on 429, 502, 503, 504 and network errors (default 2). Embeddings and rerank have no side effects. */
  retries?: number;
}

export interface RequestOptions {
  model?: string;
  signal?: AbortSignal;
}

export interface EmbedManyOptions extends RequestOptions {
  /** Inputs per request (default 96). */
  batchSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RerankOptions extends RequestOptions {
  topN?: number;
  returnDocuments?: boolean;
}

export interface RerankResult {
  index: number;
  score: number;
  document?: string;
}

/** Every failure: HTTP errors carry status/code/requestId/retryAfter; timeouts have code "timeout", network failures "network_error". */
export class EmbedEdgeError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
    readonly retryAfter?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EmbedEdgeError";
  }
}

const RETRY = [429, 502, 503, 504];

/** Capped exponential backoff with full jitter, or the server's retry-after (seconds) when given. */
export const retryDelay = (attempt: number, retryAfter?: number) =>
  retryAfter !== undefined ? retryAfter * 1000 : Math.random() * Math.min(8000, 300 * 2 ** attempt);

/** Little-endian float32 base64 (what the gateway sends) to a Float32Array. */
export function decodeVector(base64: string): Float32Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  const bytes = fromBase64 ? fromBase64(base64) : Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** The `k` vectors most similar to `query`, best first. */
export const topK = (query: ArrayLike<number>, vectors: ArrayLike<number>[], k: number) =>
  vectors.map((v, index) => ({ index, score: cosine(query, v) })).sort((x, y) => y.score - x.score).slice(0, k);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done, fail) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), fail(signal.reason)), { once: true });
  });

export function createClient(options: ClientOptions) {
  const base = options.baseURL.replace(/\/+$/, "").replace(/\/v1$/, "") + "/v1";
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const timeout = options.timeout ?? 30_000;
  const retries = options.retries ?? 2;
  const token = options.token;

  async function call<T>(path: string, body: object, signal?: AbortSignal): Promise<T> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const credential = typeof token === "function" ? await token() : token;
      let res: Response;
      try {
        res = await doFetch(base + path, {
          method: "POST",
          headers: { "content-type": "application/json", ...(credential ? { authorization: "Bearer " + credential } : {}) },
          body: JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout),
        });
      } catch (cause) {
        if (signal?.aborted) throw cause;
        const timedOut = (cause as Error)?.name === "TimeoutError";
        if (timedOut || attempt >= retries) {
          throw new EmbedEdgeError(timedOut ? `No answer within ${timeout} ms` : "Network error", 0, timedOut ? "timeout" : "network_error", undefined, undefined, { cause });
        }
        await sleep(retryDelay(attempt), signal);
        continue;
      }
      if (res.ok) return res.json();
      const header = res.headers.get("retry-after");
      const retryAfter = header === null ? undefined : Number(header);
      if (res.status === 401 && typeof token === "function" && !refreshed) {
        refreshed = true;
        attempt--;
        continue;
      }
      if (RETRY.includes(res.status) && attempt < retries) {
        await sleep(retryDelay(attempt, retryAfter), signal);
        continue;
      }
      const error = ((await res.json().catch(() => ({}))) as { error?: { message?: string; code?: string } }).error ?? {};
      throw new EmbedEdgeError(error.message ?? `HTTP ${res.status}`, res.status, error.code ?? "http_error", res.headers.get("x-request-id") ?? undefined, retryAfter);
    }
  }

  async function embedBatch(texts: string[], opts: RequestOptions = {}): Promise<Float32Array[]> {
    const json = await call<{ data: { index: number; embedding: string }[] }>(
      "/embeddings",
      { model: opts.model ?? options.model, input: texts, encoding_format: "base64" },
      opts.signal,
    );
    const out: Float32Array[] = [];
    for (const item of json.data) out[item.index] = decodeVector(item.embedding);
    return out;
  }

  function embed(text: string, opts?: RequestOptions): Promise<Float32Array>;
  function embed(texts: string[], opts?: RequestOptions): Promise<Float32Array[]>;
  async function embed(input: string | string[], opts?: RequestOptions) {
    const vectors = await embedBatch(typeof input === "string" ? [input] : input, opts);
    return typeof input === "string" ? vectors[0] : vectors;
  }

  /** Embeds any number of texts in batches with bounded concurrency; results keep input order. */
  async function embedMany(texts: string[], opts: EmbedManyOptions = {}): Promise<Float32Array[]> {
    const size = opts.batchSize ?? 96;
    const out: Float32Array[] = [];
    let next = 0, done = 0;
    const worker = async () => {
      while (next < texts.length) {
        const start = next;
        next += size;
        const vectors = await embedBatch(texts.slice(start, start + size), opts);
        vectors.forEach((v, i) => (out[start + i] = v));
        opts.onProgress?.((done += vectors.length), texts.length);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
    return out;
  }

  async function rerank(query: string, documents: (string | Record<string, unknown>)[], opts: RerankOptions = {}): Promise<RerankResult[]> {
    const json = await call<{ results: { index: number; relevance_score: number; document?: { text: string } }[] }>(
      "/rerank",
      { model: opts.model ?? options.rerankModel, query, documents, top_n: opts.topN, return_documents: opts.returnDocuments },
      opts.signal,
    );
    return json.results.map((r) => ({ index: r.index, score: r.relevance_score, document: r.document?.text }));
  }

  return { embed, embedMany, rerank };
}

export type EmbedEdgeClient = ReturnType<typeof createClient>;

// The request life cycle (credentials, attempts, timeouts, retries, errors) and the three calls built on it.
import { EmbedEdgeError } from "./errors.js";
import { parseRetryAfter, RETRY_STATUSES, retryDelay, sleep } from "./retry.js";
import { type TokenSource, tokenCache } from "./token.js";
import { decodeVector } from "./vectors.js";

export interface ResponseInfo {
  url: string;
  status: number;
  /** In a browser, only what the gateway exposes: `X-Cache`, `X-Cache-Hits`, `X-Cache-Misses`, `X-Request-Id`, `Retry-After`, … */
  headers: Headers;
  /** From sending the request to the end of the body. */
  ms: number;
}

export interface ClientOptions {
  /** The gateway's origin, e.g. "https://embed.example.com" (with or without "/v1"). */
  baseURL: string;
  /** A server key or short-lived token, or a function returning one: reused until shortly before a JWT's `exp`, called again once after a 401. */
  token?: TokenSource;
  model?: string;
  rerankModel?: string;
  /** Inject a fetch (tests, proxies); defaults to the global one. */
  fetch?: typeof fetch;
  /** Per-attempt timeout in ms (default 30 000). */
  timeout?: number;
  /** Retries on 429, 502, 503, 504 and network errors (default 2). Embeddings and rerank have no side effects. */
  retries?: number;
  /** The longest `retry-after` in ms the client waits out (default 10 000); a longer one fails at once, with `retryAfter` set. */
  maxRetryAfter?: number;
  /** Called for every HTTP response, retries included, e.g. to show cache headers and latency. */
  onResponse?: (info: ResponseInfo) => void;
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

/**
 * A client for an embed-edge gateway. Embeddings come back as `Float32Array`s in input order.
 *
 * @example
 * const ee = createClient({ baseURL: "https://embed.example.com", token: () => fetch("/api/embed-token").then((r) => r.text()) });
 * const [q, ...docs] = await ee.embed([question, ...passages]);
 */
export function createClient(options: ClientOptions) {
  const base = options.baseURL.replace(/(\/v1)?\/*$/, "/v1");
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const timeout = options.timeout ?? 30_000;
  const retries = options.retries ?? 2;
  const maxRetryAfter = options.maxRetryAfter ?? 10_000;
  // A string token is used as is.
  const tokens = typeof options.token === "function" && tokenCache(options.token);

  /**
   * POSTs `body`, retrying what is worth retrying; `read` turns the JSON into the result, or returns
   * false (or throws) when its shape is wrong. Without a caller's signal, one that never aborts.
   */
  // biome-ignore lint/suspicious/noExplicitAny: `read` is where the answer's shape is checked
  async function call<T>(path: string, body: object, read: (json: any) => T | false, signal = new AbortController().signal): Promise<T> {
    const url = base + path;
    let refused: unknown;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const credential = tokens ? tokens(refused) : options.token;
      const token = await credential;
      const started = Date.now();
      let res: Response, text: string, retryAfter: number | undefined;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)]),
        });
        // Inside the attempt: a body cut short is a network error, a slow one a timeout.
        text = await res.text();
      } catch (cause) {
        if (signal.aborted) throw cause;
        const timedOut = (cause as Error)?.name === "TimeoutError";
        if (timedOut || attempt >= retries) {
          // A CORS refusal is a bare network error to the page, so the message says where to look.
          const page = globalThis.location?.origin;
          const cors = page && cause instanceof TypeError && new URL(url, location as unknown as URL).origin !== page;
          const message = timedOut
            ? `No answer within ${timeout} ms`
            : `Network error calling ${url}${cors ? ` (is ${page} in the gateway's ALLOWED_ORIGINS?)` : ""}`;
          throw new EmbedEdgeError(message, { status: 0, code: timedOut ? "timeout" : "network_error", cause });
        }
        await sleep(retryDelay(attempt), signal);
        continue;
      }
      options.onResponse?.({ url, status: res.status, headers: res.headers, ms: Date.now() - started });
      const requestId = res.headers.get("x-request-id") ?? undefined;
      let json: { error?: { message?: string; code?: string } } | undefined;
      let result: T | false | undefined;
      let cause: unknown;
      try {
        json = JSON.parse(text);
        result = res.ok && read(json);
      } catch (error) {
        cause = error;
      }
      if (result) return result;
      if (res.ok) throw new EmbedEdgeError(`Unexpected answer from ${url}`, { status: res.status, code: "bad_response", requestId, cause });
      if (res.status === 401 && tokens && !refused) {
        refused = credential;
        attempt--;
        continue;
      }
      retryAfter = parseRetryAfter(res.headers.get("retry-after"));
      // A wait beyond the cap goes back to the caller (as `retryAfter`) rather than hanging the page.
      if (RETRY_STATUSES.includes(res.status) && attempt < retries && (retryAfter ?? 0) * 1000 <= maxRetryAfter) {
        await sleep(retryDelay(attempt, retryAfter), signal);
        continue;
      }
      const { message = `HTTP ${res.status}`, code = "http_error" } = json?.error ?? {};
      throw new EmbedEdgeError(message, { status: res.status, code, requestId, retryAfter });
    }
  }

  async function embedBatch(texts: string[], opts: RequestOptions = {}): Promise<Float32Array[]> {
    const body = { model: opts.model ?? options.model, input: texts, encoding_format: "base64" };
    return call(
      "/embeddings",
      body,
      (json) => {
        const out: Float32Array[] = [];
        for (const { index, embedding } of json.data) out[index] = decodeVector(embedding);
        return out.length === texts.length && !out.includes(undefined as never) && out; // no holes: every input answered
      },
      opts.signal,
    );
  }

  function embed(text: string, opts?: RequestOptions): Promise<Float32Array>;
  function embed(texts: string[], opts?: RequestOptions): Promise<Float32Array[]>;
  async function embed(input: string | string[], opts?: RequestOptions) {
    const vectors = await embedBatch([input].flat(), opts);
    return typeof input === "string" ? vectors[0] : vectors;
  }

  /** Embeds any number of texts in batches with bounded concurrency; results keep input order. The first failure aborts the batches in flight and starts no more. */
  async function embedMany(texts: string[], opts: EmbedManyOptions = {}): Promise<Float32Array[]> {
    const size = opts.batchSize ?? 96;
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    const batches: Float32Array[][] = []; // indexed by the batch's first input; flat() skips the gaps
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < texts.length && !signal.aborted) {
        const start = next;
        next += size;
        try {
          const vectors = await embedBatch(texts.slice(start, start + size), { ...opts, signal });
          batches[start] = vectors;
          done += vectors.length;
          opts.onProgress?.(done, texts.length);
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
    return batches.flat();
  }

  async function rerank(query: string, documents: (string | Record<string, unknown>)[], opts: RerankOptions = {}): Promise<RerankResult[]> {
    const body = { model: opts.model ?? options.rerankModel, query, documents, top_n: opts.topN, return_documents: opts.returnDocuments };
    type Result = { index: number; relevance_score: number; document?: { text: string } };
    return call(
      "/rerank",
      body,
      ({ results }: { results: Result[] }) =>
        results.map((r) => ({ index: r.index, score: r.relevance_score, document: r.document?.text })),
      opts.signal,
    );
  }

  // `post`: the request life cycle (credentials, retries, errors) for other gateway routes, used by
  // the `embed-edge-client/collections` entry point so the core stays within its size budget.
  return { embed, embedMany, rerank, post: call };
}

export type EmbedEdgeClient = ReturnType<typeof createClient>;

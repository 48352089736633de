// The client's one error class, and a guard that also recognises errors from another copy of it.

export interface EmbedEdgeErrorOptions {
  /** The HTTP status, or 0 when no HTTP answer came (timeout, network error). */
  status: number;
  /**
   * The gateway's error code (`rate_limit_exceeded`, `model_not_found`, …), else `http_error`;
   * `timeout`, `network_error` or `bad_response` when no usable answer came.
   */
  code: string;
  /** The gateway's `X-Request-Id`: quote it when asking about a failure, it finds the log line. */
  requestId?: string;
  /** Seconds the server asked to wait before trying again (`retry-after`). */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * Every failure of the client (a caller's own abort is rethrown as is).
 *
 * @example
 * try { await ee.embed(text) } catch (e) { if (isEmbedEdgeError(e) && e.code === "rate_limit_exceeded") wait(e.retryAfter) }
 */
export class EmbedEdgeError extends Error {
  declare readonly status: number;
  declare readonly code: string;
  declare readonly requestId?: string;
  declare readonly retryAfter?: number;

  constructor(message: string, options: EmbedEdgeErrorOptions) {
    super(message, options);
    this.name = "EmbedEdgeError";
    Object.assign(this, options);
  }
}

/**
 * True for an `EmbedEdgeError`. Checks the name, not only `instanceof`: a page may load two copies
 * of the client (the gateway's `/client.js` and a bundled one), and each has its own class.
 */
export const isEmbedEdgeError = (error: unknown): error is EmbedEdgeError => (error as Error | undefined)?.name === "EmbedEdgeError";

// Pure retry timing for upstream calls, kept apart from the I/O so it is easy to test and reason about.

/** Statuses worth another attempt: rate limited or a gateway-class failure upstream. */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** The longest `retry-after` the gateway waits out itself; longer ones go back to the client. */
export const MAX_RETRY_WAIT_MS = 4000;

/** Milliseconds a response asks us to wait (`retry-after-ms`, `retry-after` seconds or date), if any. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get("retry-after");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Capped exponential backoff with full jitter: attempt 0 waits up to 250 ms, then 500, 1000, ... 2000. */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(2000, 250 * 2 ** attempt));
}

// Pure retry timing for upstream calls, kept apart from the I/O so it is easy to test and reason about.

/** Statuses worth another attempt: rate limited or a gateway-class failure upstream. */
export const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** The longest `retry-after` the gateway waits out itself; longer ones go back to the client. */
export const MAX_RETRY_WAIT_MS = 4000;

/** RFC 9110 delay-seconds (digits), with the fraction some upstreams add. */
const DELAY = /^\d+(?:\.\d+)?$/;
/** An HTTP date as RFC 9110 senders write it (IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`. */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Milliseconds a response asks us to wait (`retry-after-ms`, `retry-after` seconds or date), if any. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && DELAY.test(ms) && Number.isFinite(Number(ms))) return Number(ms);
  const raw = headers.get("retry-after");
  if (raw === null) return undefined;
  // 400 digits are digits, and Infinity: only a finite wait is one.
  if (DELAY.test(raw)) return Number.isFinite(Number(raw)) ? Number(raw) * 1000 : undefined;
  if (!HTTP_DATE.test(raw)) return undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Capped exponential backoff with full jitter: attempt 0 waits up to 250 ms, then 500, 1000, ... 2000. */
export function backoffMs(attempt: number, random = Math.random): number {
  return Math.round(random() * Math.min(2000, 250 * 2 ** attempt));
}

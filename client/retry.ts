// Retry timing: pure functions apart from the request loop, plus a sleep that cleans up after itself.

/** Rate limited, or the gateway's upstream failing or slow: worth another attempt. */
export const RETRY_STATUSES = [429, 502, 503, 504];

/**
 * Seconds a `retry-after` header asks to wait: delta-seconds or an HTTP date (RFC 9110 §10.2.3), 0
 * for a date in the past, undefined when absent or unreadable (never NaN). Digits are tested first
 * because `Date.parse` reads "5" as the year 2001 ("1.2.3" is NaN, so unreadable).
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  const text = String(header); // null becomes "null": neither digits nor a date
  const seconds = /^[\d.]+$/.test(text) ? +text : (Date.parse(text) - now) / 1000;
  return seconds > 0 ? seconds : seconds <= 0 ? 0 : undefined; // NaN is neither
}

/** Milliseconds before the next attempt: the server's `retry-after` (seconds) when given, else capped exponential backoff with full jitter (up to 300 ms, 600 ms, … 8 s). */
export const retryDelay = (attempt: number, retryAfter?: number) =>
  retryAfter !== undefined ? retryAfter * 1000 : Math.random() * Math.min(8000, 300 * 2 ** attempt);

/** Waits `ms` or rejects with the signal's reason; either way it removes its listener, so a long-lived signal does not collect one per retry. */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done, fail) => {
    signal.throwIfAborted();
    const abort = () => {
      clearTimeout(timer);
      fail(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      done();
    }, ms);
    signal.addEventListener("abort", abort, { once: true });
  });

/**
 * A per-isolate budget for log lines about unauthenticated requests, which anyone can send as often as
 * they like: each key (an origin, say) is logged at most once a window, and at most `maxKeys` keys a
 * window, so neither repeats nor a stream of new keys can flood the log or grow memory.
 *
 * @example
 * const once = logThrottle(60_000, 64);
 * if (once(origin)) console.warn(...);
 */
export function logThrottle(windowMs: number, maxKeys: number): (key: string, now?: number) => boolean {
  let windowStart = Number.NEGATIVE_INFINITY;
  const logged = new Set<string>();
  return function shouldLog(key, now = Date.now()) {
    if (now - windowStart >= windowMs) {
      windowStart = now;
      logged.clear();
    }
    if (logged.has(key) || logged.size >= maxKeys) return false;
    logged.add(key);
    return true;
  };
}

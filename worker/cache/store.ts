/**
 * Where cached items live between isolates: Workers KV by default, D1 as the cheaper-to-write option.
 * Values are text (base64 vectors, decimal scores). A store that fails is a cache miss, never a
 * failed request, so implementations may throw and the engine shrugs.
 */
export interface CacheStore {
  readonly kind: "kv" | "d1";
  /** The most entries one request may write (KV counts each put against 1,000 operations an invocation). */
  readonly maxWritesPerRequest: number;
  /** The values found, by key; missing and expired keys are simply absent. */
  getMany(keys: readonly string[]): Promise<Map<string, string>>;
  /** Writes every entry with the same time to live. */
  putMany(entries: ReadonlyArray<readonly [string, string]>, ttlSeconds: number): Promise<void>;
}

/** `items` in consecutive slices of at most `size`: stores read and write in bounded batches. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

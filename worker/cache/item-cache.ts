import { ApiError } from "../errors";
import { awaitShared, joinInflight, trackInflight } from "./inflight";
import { addUsage, NO_USAGE, type Usage } from "./usage";

/** KV's bulk read takes at most 100 keys a call. */
const KV_BULK_LIMIT = 100;

export interface CachePolicy {
  read: boolean;
  write: boolean;
  ttlSeconds: number;
  /** How long to wait for another request's identical upstream call before making one's own. */
  maxShareWaitMs: number;
}

export interface ItemSource {
  /** One KV key per request item, in request order; equal keys mean equal items. */
  keys: readonly string[];
  /** Whether a stored value is usable (for example: a vector of the model's dimensions). */
  isValid(value: string): boolean;
  /** Asks the upstream for the given item positions; values come back aligned with `items`. */
  fetch(items: readonly number[]): Promise<{ values: string[]; usage: Usage }>;
  /** Most items one upstream call may carry. */
  maxBatch: number;
}

export interface ResolvedItems {
  /** One value per request item, in request order. */
  values: string[];
  /** Distinct items answered from KV, and distinct items that were not. */
  hits: number;
  misses: number;
  usage: Usage;
}

/**
 * The cache engine shared by embeddings and rerank: dedupe items, bulk-read KV, send only the
 * misses upstream (sharing work already in flight), write new values in the background and
 * merge everything back in request order.
 */
export async function resolveItems(
  kv: KVNamespace,
  source: ItemSource,
  policy: CachePolicy,
  waitUntil: (work: Promise<unknown>) => void,
): Promise<ResolvedItems> {
  const firstIndexByKey = new Map<string, number>();
  source.keys.forEach((key, i) => {
    if (!firstIndexByKey.has(key)) firstIndexByKey.set(key, i);
  });
  const uniqueKeys = [...firstIndexByKey.keys()];

  const found = policy.read ? await bulkRead(kv, uniqueKeys) : new Map<string, string | null>();
  const valueByKey = new Map<string, string>();
  const joined: Array<[string, Promise<string>]> = [];
  const owned: string[] = [];
  for (const key of uniqueKeys) {
    const cached = found.get(key);
    if (cached != null && source.isValid(cached)) valueByKey.set(key, cached);
    else {
      const pending = policy.read ? joinInflight(key) : undefined;
      if (pending) joined.push([key, pending]);
      else owned.push(key);
    }
  }
  const hits = valueByKey.size;

  let usage = NO_USAGE;
  const fetchOwned = (keys: string[]): Promise<void>[] => {
    const batches: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += source.maxBatch) {
      const batchKeys = keys.slice(start, start + source.maxBatch);
      const work = source.fetch(batchKeys.map((key) => firstIndexByKey.get(key)!));
      trackInflight(batchKeys, work.then((r) => r.values));
      batches.push(
        work.then(({ values, usage: batchUsage }) => {
          usage = addUsage(usage, batchUsage);
          batchKeys.forEach((key, i) => valueByKey.set(key, values[i]));
          if (policy.write) waitUntil(bulkWrite(kv, batchKeys, values, policy.ttlSeconds));
        }),
      );
    }
    return batches;
  };

  const ownedWork = fetchOwned(owned);
  const sharedWork = joined.map(async ([key, pending]) => {
    const value = await awaitShared(pending, policy.maxShareWaitMs, (error) => error instanceof ApiError);
    if (value !== undefined) valueByKey.set(key, value);
    return value === undefined ? key : undefined;
  });
  const [, abandoned] = await Promise.all([Promise.all(ownedWork), Promise.all(sharedWork)]);
  const orphans = abandoned.filter((key): key is string => key !== undefined);
  if (orphans.length) await Promise.all(fetchOwned(orphans));

  return {
    values: source.keys.map((key) => valueByKey.get(key)!),
    hits,
    misses: uniqueKeys.length - hits,
    usage,
  };
}

async function bulkRead(kv: KVNamespace, keys: string[]): Promise<Map<string, string | null>> {
  if (keys.length === 0) return new Map();
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += KV_BULK_LIMIT) chunks.push(keys.slice(i, i + KV_BULK_LIMIT));
  try {
    const maps = await Promise.all(chunks.map((chunk) => kv.get(chunk, "text")));
    return maps.length === 1 ? maps[0] : new Map(maps.flatMap((m) => [...m]));
  } catch (err) {
    // A cache that cannot be read is a cache miss, never a failed request.
    console.warn(JSON.stringify({ level: "warn", message: "kv read failed", error: String(err) }));
    return new Map();
  }
}

async function bulkWrite(kv: KVNamespace, keys: string[], values: string[], ttlSeconds: number): Promise<void> {
  const results = await Promise.allSettled(keys.map((key, i) => kv.put(key, values[i], { expirationTtl: ttlSeconds })));
  const failed = results.filter((r) => r.status === "rejected").length;
  if (failed) console.warn(JSON.stringify({ level: "warn", message: "kv write failed", failed, total: keys.length }));
}

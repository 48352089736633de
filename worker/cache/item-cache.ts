import { ApiError } from "../errors";
import { awaitShared, joinInflight, trackInflight } from "./inflight";
import { itemHashes } from "./keys";
import type { MemoryTier } from "./memory-tier";
import type { CacheStore } from "./store";
import { addUsage, NO_USAGE, type Usage } from "./usage";

export interface CachePolicy {
  read: boolean;
  write: boolean;
  ttlSeconds: number;
  /** How long to wait for another request's identical upstream call before making one's own. */
  maxShareWaitMs: number;
  /** How long a store read may hold up the upstream call for the items still missing. */
  storeDeadlineMs: number;
}

/** One way to get the missing items: a provider route, with the key prefix its answers are stored under. */
export interface ItemRoute {
  /** Provider instance name, for `X-Provider`. */
  provider: string;
  /** Store-key prefix of this route's answers. */
  prefix: string;
  /** Whether its answers may be stored per item. */
  cacheable: boolean;
  /** The values for the given item positions, aligned with them, already checked and encoded. */
  fetch(items: readonly number[]): Promise<{ values: string[]; usage: Usage }>;
}

export interface ItemSource {
  /** Each request item's identity (its text), in request order; equal identities mean equal items. */
  items: readonly string[];
  /** In order: the first answers, the next ones only when it fails through no fault of the request. */
  routes: readonly ItemRoute[];
  /** Whether a stored value is what it claims (a finite vector of the model's size, a score as the gateway writes it). */
  isValid(value: string): boolean;
  /** Most items one upstream call may carry. */
  maxBatch: number;
}

export interface CacheDeps {
  store: CacheStore | undefined;
  memory: MemoryTier | undefined;
  waitUntil(work: Promise<unknown>): void;
  log(fields: Record<string, unknown>): void;
}

export interface ItemStats {
  /** Distinct items found in memory, in the store, and missing from both. */
  memoryHits: number;
  storeHits: number;
  misses: number;
  storeReadKeys: number;
  storeReadMs: number;
  storeWriteKeys: number;
  upstreamCalls: number;
  upstreamMs: number;
  /** Provider instances that answered misses, in first-answer order. */
  providers: string[];
}

export interface ResolvedItems {
  /** One value per request item, in request order. */
  values: string[];
  /** The memory-tier key of the value at a request position (for the float text kept beside it), worked out only when asked for. */
  keyOf(index: number): string;
  usage: Usage;
  stats: ItemStats;
}

/** Resolves in a later turn of the event loop, after the handler has returned its response. */
const afterResponse = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The longest a hung store read is waited for once its answer can only save work, not time. */
const STORE_WAIT_BOUND_MS = 5000;

/** A route failure the next route may answer: upstream trouble, not a refusal of the request. */
export const isRouteFailure = (err: unknown) =>
  err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.code === "upstream_model_unavailable");

/**
 * The cache engine shared by embeddings and rerank: dedupe items, read the memory tier, then the
 * store (waiting at most `storeDeadlineMs` before the misses go upstream anyway), send only the
 * misses upstream (sharing identical work already in flight, falling back route by route), write
 * new values in the background and merge everything back in request order.
 */
export async function resolveItems(source: ItemSource, policy: CachePolicy, deps: CacheDeps): Promise<ResolvedItems> {
  const primary = source.routes[0];
  const cacheable = primary.cacheable;
  const read = policy.read && cacheable;
  const firstIndex = new Map<string, number>();
  source.items.forEach((item, i) => {
    if (!firstIndex.has(item)) firstIndex.set(item, i);
  });
  const uniqueItems = [...firstIndex.keys()];
  // The memory tier is keyed by the text itself, so its hits cost no hashing; the store by its hash.
  const memoryKey = (route: ItemRoute, item: string) => `${route.prefix}\u0000${item}`;

  const stats: ItemStats = {
    memoryHits: 0,
    storeHits: 0,
    misses: 0,
    storeReadKeys: 0,
    storeReadMs: 0,
    storeWriteKeys: 0,
    upstreamCalls: 0,
    upstreamMs: 0,
    providers: [],
  };
  const valueByItem = new Map<string, string>();
  let usage = NO_USAGE;
  const now = Date.now();
  const expiresAt = now + policy.ttlSeconds * 1000;

  if (!cacheable) {
    // Scores that depend on the whole request (BM25's IDF) are asked for with every document, in
    // request order, duplicates and all, in one call: never deduplicated, batched or stored.
    const answer = await fetchWithFallback(
      source.routes,
      source.items.map((_, i) => i),
      stats,
    );
    stats.misses = uniqueItems.length;
    return { values: answer.values, keyOf: (i) => memoryKey(primary, source.items[i]), usage: answer.usage, stats };
  }

  let missing = uniqueItems;
  if (read && deps.memory) {
    missing = [];
    for (const item of uniqueItems) {
      const value = deps.memory.get(memoryKey(primary, item), now);
      if (value !== undefined) valueByItem.set(item, value);
      else missing.push(item);
    }
    stats.memoryHits = valueByItem.size;
  }
  if (missing.length === 0) return finish();

  // Store keys, hashing each distinct missing text once.
  const hashes = await itemHashes(missing);
  const itemOfKey = new Map<string, string>();
  const hashOfItem = new Map<string, string>();
  const uniqueKeys = missing.map((item, i) => {
    const key = primary.prefix + hashes[i];
    itemOfKey.set(key, item);
    hashOfItem.set(item, hashes[i]);
    return key;
  });
  const indexOfKey = (key: string) => firstIndex.get(itemOfKey.get(key)!)!;
  const setValue = (key: string, value: string) => valueByItem.set(itemOfKey.get(key)!, value);

  let remaining = uniqueKeys;
  /**
   * A fallback route's own cached answers for `indices`, when it holds all of them: during an outage
   * of the primary, what the fallback answered before is served again instead of being recomputed.
   */
  const cachedOn = async (route: ItemRoute, indices: readonly number[]): Promise<string[] | undefined> => {
    if (!read || !route.cacheable) return undefined;
    const items = indices.map((i) => source.items[i]);
    const values = items.map((item) => deps.memory?.get(memoryKey(route, item)));
    const absent = items.filter((_, j) => values[j] === undefined);
    if (absent.length && deps.store) {
      const keys = absent.map((item) => route.prefix + hashOfItem.get(item)!);
      const lookup = deps.store.getMany(keys).catch(() => new Map<string, string>());
      const found = keepValid((await withinDeadline(lookup, STORE_WAIT_BOUND_MS)) ?? new Map(), source.isValid, deps);
      items.forEach((item, j) => {
        values[j] ??= found.get(route.prefix + hashOfItem.get(item)!);
      });
    }
    return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
  };
  let writesLeft = deps.store?.maxWritesPerRequest ?? 0;
  /** A store read still under way when the misses went upstream: writes skip what it finds. */
  let lateRead: Promise<Map<string, string>> | undefined;
  const fetchMissing = (keys: string[]): Promise<void>[] => {
    const batches: Promise<void>[] = [];
    for (let start = 0; start < keys.length; start += source.maxBatch) {
      const batchKeys = keys.slice(start, start + source.maxBatch);
      const work = fetchWithFallback(source.routes, batchKeys.map(indexOfKey), stats, cachedOn);
      trackInflight(
        batchKeys,
        work.then((r) => r.values),
      );
      // If this request is cancelled, the call still finishes for the requests sharing it.
      deps.waitUntil(work.catch(() => {}));
      batches.push(
        work.then(({ values, usage: batchUsage, route, cached }) => {
          usage = addUsage(usage, batchUsage);
          batchKeys.forEach((key, i) => setValue(key, values[i]));
          if (route.cacheable && !cached) remember(route, batchKeys, values);
        }),
      );
    }
    return batches;
  };

  /** Values a route fetched go to memory and, unless this isolate stored them already, to the store. */
  const remember = (route: ItemRoute, keys: readonly string[], values: readonly string[]) => {
    const toWrite: Array<[string, string]> = [];
    // `no-store` keeps the answer out of every tier, the isolate's memory included.
    if (!policy.write) return;
    // A fallback route's answers are kept under its own prefix: they never answer for the primary's.
    const memoryKeys = new Map<string, string>();
    keys.forEach((key, i) => {
      const item = itemOfKey.get(key)!;
      const inMemory = memoryKey(route, item);
      const already = deps.memory?.wasStored(inMemory) ?? false;
      deps.memory?.set(inMemory, values[i], expiresAt, already);
      if (!already) {
        const storeKey = route.prefix + hashOfItem.get(item)!;
        toWrite.push([storeKey, values[i]]);
        memoryKeys.set(storeKey, inMemory);
      }
    });
    // Within the store's per-request budget (KV: 1,000 operations an invocation); the rest are written
    // by a later request that misses them.
    if (toWrite.length > writesLeft) toWrite.length = Math.max(0, writesLeft);
    writesLeft -= toWrite.length;
    if (deps.store && toWrite.length) {
      stats.storeWriteKeys += toWrite.length;
      const store = deps.store;
      const pending = lateRead;
      const write = async () => {
        // A late store read is waited for (boundedly), so what it found is not written again.
        const present = pending ? await withinDeadline(pending, STORE_WAIT_BOUND_MS) : undefined;
        const entries = present ? toWrite.filter(([key]) => !present.has(key)) : toWrite;
        if (entries.length) await store.putMany(entries, policy.ttlSeconds);
        // Only a write that happened makes this isolate skip the item next time.
        for (const [key] of entries) deps.memory?.markStored(memoryKeys.get(key)!);
      };
      // Written once the answer is on its way: the write's own work (and, locally, the store
      // simulation sharing workerd's thread, ~3 ms a 1-input miss) never holds up the response.
      deps.waitUntil(
        afterResponse()
          .then(write)
          .catch((err) => deps.log({ level: "warn", message: "store write failed", store: store.kind, error: String(err) })),
      );
    }
  };

  if (read && deps.store && remaining.length) {
    const store = deps.store;
    stats.storeReadKeys = remaining.length;
    const started = Date.now();
    const reading = store
      .getMany(remaining)
      .catch((err) => {
        // A store that cannot be read is a cache miss, never a failed request.
        deps.log({ level: "warn", message: "store read failed", store: store.kind, error: String(err) });
        return new Map<string, string>();
      })
      .then((found) => {
        stats.storeReadMs = Date.now() - started;
        return keepValid(found, source.isValid, deps);
      });
    // A deadline of 0 never holds the upstream call up: it starts beside the store read.
    const onTime = policy.storeDeadlineMs > 0 ? await withinDeadline(reading, policy.storeDeadlineMs) : undefined;
    if (onTime) {
      remaining = remaining.filter((key) => {
        const value = onTime.get(key);
        if (value === undefined) return true;
        setValue(key, value);
        deps.memory?.set(memoryKey(primary, itemOfKey.get(key)!), value, expiresAt, true);
        return false;
      });
      stats.storeHits = onTime.size;
    } else {
      // The store is slow: the misses go upstream now. Whichever answers all of them first is used
      // for all of them, so a response never mixes a late store read with an upstream answer.
      lateRead = reading;
      const late = await lateRace(remaining, reading, () => {
        const work = joinOrFetch(remaining).then(() => undefined);
        // If the store wins, the upstream call still finishes (and is remembered) after the response.
        deps.waitUntil(work.catch(() => {}));
        return work;
      });
      if (late) {
        for (const key of remaining) {
          setValue(key, late.get(key)!);
          deps.memory?.set(memoryKey(primary, itemOfKey.get(key)!), late.get(key)!, expiresAt, true);
        }
        stats.storeHits = remaining.length;
      }
      stats.misses = uniqueKeys.length - stats.storeHits;
      return finish();
    }
  }

  stats.misses = remaining.length;
  await joinOrFetch(remaining);
  return finish();

  /**
   * Gets `keys` upstream, sharing identical calls already in flight in this isolate. A shared call
   * that failed through upstream trouble fails here too; one refused for its owner's own input (a
   * 4xx) is none of this request's business, so its items are fetched anew.
   */
  async function joinOrFetch(keys: string[]): Promise<void> {
    const joined: Array<[string, Promise<string>]> = [];
    const owned: string[] = [];
    for (const key of keys) {
      const pending = read ? joinInflight(key) : undefined;
      if (pending) joined.push([key, pending]);
      else owned.push(key);
    }
    const ownedWork = fetchMissing(owned);
    const sharedWork = joined.map(async ([key, pending]) => {
      const value = await awaitShared(pending, policy.maxShareWaitMs, isRouteFailure);
      if (value !== undefined) setValue(key, value);
      return value === undefined ? key : undefined;
    });
    const [, abandoned] = await Promise.all([Promise.all(ownedWork), Promise.all(sharedWork)]);
    const orphans = abandoned.filter((key): key is string => key !== undefined);
    if (orphans.length) await Promise.all(fetchMissing(orphans));
  }

  function finish(): ResolvedItems {
    return {
      values: source.items.map((item) => valueByItem.get(item)!),
      // A key holds the whole text: built for each item only if a float answer needs it.
      keyOf: (i) => memoryKey(primary, source.items[i]),
      usage,
      stats,
    };
  }
}

/**
 * Tries each route in order; a failure that is not the request's fault moves on to the next one,
 * which first answers from its own cache when it can (`cachedOn`).
 */
async function fetchWithFallback(
  routes: readonly ItemRoute[],
  items: readonly number[],
  stats: ItemStats,
  cachedOn?: (route: ItemRoute, items: readonly number[]) => Promise<string[] | undefined>,
): Promise<{ values: string[]; usage: Usage; route: ItemRoute; cached: boolean }> {
  let firstError: unknown;
  for (const route of routes) {
    if (route !== routes[0] && cachedOn) {
      const values = await cachedOn(route, items);
      if (values) return { values, usage: NO_USAGE, route, cached: true };
    }
    const started = Date.now();
    stats.upstreamCalls++;
    try {
      const answer = await route.fetch(items);
      stats.upstreamMs += Date.now() - started;
      if (!stats.providers.includes(route.provider)) stats.providers.push(route.provider);
      return { ...answer, route, cached: false };
    } catch (err) {
      stats.upstreamMs += Date.now() - started;
      if (!isRouteFailure(err)) throw err;
      firstError ??= err;
    }
  }
  throw firstError;
}

/** Drops stored values that are not what they claim, and says so once per read. */
function keepValid(found: Map<string, string>, isValid: (value: string) => boolean, deps: CacheDeps): Map<string, string> {
  let invalid = 0;
  for (const [key, value] of found) {
    if (!isValid(value)) {
      found.delete(key);
      invalid++;
    }
  }
  if (invalid) deps.log({ level: "warn", message: "invalid cached values ignored", count: invalid });
  return found;
}

/** The store's answer if it comes within `ms`, else undefined (the read goes on). */
async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let cancel = () => {};
  const deadline = new Promise<undefined>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cancel = () => clearTimeout(timer);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    cancel();
  }
}

/**
 * After the deadline: the upstream call for `keys` and the late store read race. Returns the store's
 * values when it found every key before the upstream answered, undefined when the upstream's answer
 * is used; an upstream failure still waits for the store, which may have everything.
 */
async function lateRace(
  keys: readonly string[],
  reading: Promise<Map<string, string>>,
  upstream: () => Promise<undefined>,
): Promise<Map<string, string> | undefined> {
  const upstreamWork = upstream();
  const storeHasAll = reading.then((found) => (keys.every((key) => found.has(key)) ? found : new Promise<never>(() => {})));
  // Keep the loser from being an unhandled rejection; its outcome is handled below or ignored.
  upstreamWork.catch(() => {});
  try {
    return await Promise.race([upstreamWork, storeHasAll]);
  } catch (err) {
    const found = await withinDeadline(reading, STORE_WAIT_BOUND_MS);
    if (found && keys.every((key) => found.has(key))) return found;
    throw err;
  }
}

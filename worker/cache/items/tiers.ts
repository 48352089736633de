import { itemHashes } from "../keys";
import { type ItemRun, memoryKey } from "./run";
import { STORE_WAIT_BOUND_MS, withinDeadline } from "./timing";
import type { CacheDeps, ItemRoute } from "./types";

/** Step 1: the memory tier. Returns the distinct items it did not have. */
export function readMemory(run: ItemRun): string[] {
  const { deps, primary } = run;
  if (!run.read || !deps.memory) return [...run.unique];
  const missing: string[] = [];
  const now = Date.now();
  for (const item of run.unique) {
    const value = deps.memory.get(memoryKey(primary, item), now);
    if (value !== undefined) run.values.set(item, value);
    else missing.push(item);
  }
  run.stats.memoryHits = run.values.size;
  return missing;
}

/** Step 2: store keys for what the memory tier lacked, hashing each distinct text once. */
export async function keyMissing(run: ItemRun, missing: readonly string[]): Promise<string[]> {
  const hashes = await itemHashes(missing);
  return missing.map((item, i) => {
    const key = run.primary.prefix + hashes[i];
    run.itemOfKey.set(key, item);
    run.hashOfItem.set(item, hashes[i]);
    return key;
  });
}

/** Sets the value of the item behind a store key. */
export function setValue(run: ItemRun, key: string, value: string): void {
  run.values.set(run.itemOfKey.get(key)!, value);
}

/** Values the store found for the primary route go into the memory tier, marked as stored. */
function keepFound(run: ItemRun, keys: readonly string[], found: ReadonlyMap<string, string>): void {
  for (const key of keys) {
    const value = found.get(key)!;
    setValue(run, key, value);
    run.deps.memory?.set(memoryKey(run.primary, run.itemOfKey.get(key)!), value, run.expiresAt, true);
  }
}

/**
 * Step 3: the store, read for `keys`. Its answer is awaited for at most `storeDeadlineMs`; what it
 * finds in time is used, and the keys still missing are returned. A slower read is handed back as
 * `late`: the misses go upstream at once and race it.
 */
export async function readStore(
  run: ItemRun,
  keys: readonly string[],
): Promise<{ remaining: string[]; late?: Promise<Map<string, string>> }> {
  const { deps, policy } = run;
  if (!run.read || !deps.store || keys.length === 0) return { remaining: [...keys] };
  const store = deps.store;
  run.stats.storeReadKeys = keys.length;
  const started = Date.now();
  const reading = store
    .getMany(keys)
    .catch((err) => {
      // A store that cannot be read is a cache miss, never a failed request.
      deps.log({ level: "warn", message: "store read failed", store: store.kind, error: String(err) });
      return new Map<string, string>();
    })
    .then((found) => {
      run.stats.storeReadMs = Date.now() - started;
      return keepValid(found, run.source.isValid, deps);
    });
  // A deadline of 0 never holds the upstream call up: it starts beside the store read.
  const onTime = policy.storeDeadlineMs > 0 ? await withinDeadline(reading, policy.storeDeadlineMs) : undefined;
  if (!onTime) {
    run.lateRead = reading;
    return { remaining: [...keys], late: reading };
  }
  const hits = keys.filter((key) => onTime.has(key));
  keepFound(run, hits, onTime);
  run.stats.storeHits = hits.length;
  return { remaining: keys.filter((key) => !onTime.has(key)) };
}

/**
 * After the deadline: the upstream call for `keys` and the late store read race. When the store
 * found every key before the upstream answered, its values are used for all of them, so a response
 * never mixes a late store read with an upstream answer; an upstream failure still waits for the
 * store, which may have everything.
 */
export async function raceLateRead(
  run: ItemRun,
  keys: readonly string[],
  reading: Promise<Map<string, string>>,
  upstream: () => Promise<void>,
): Promise<void> {
  const upstreamWork = upstream();
  // If the store wins, the upstream call still finishes (and is remembered) after the response.
  run.deps.waitUntil(upstreamWork.catch(() => {}));
  const storeHasAll = reading.then((found) => (keys.every((key) => found.has(key)) ? found : new Promise<never>(() => {})));
  let late: Map<string, string> | undefined;
  try {
    late = (await Promise.race([upstreamWork, storeHasAll])) ?? undefined;
  } catch (err) {
    const found = await withinDeadline(reading, STORE_WAIT_BOUND_MS);
    if (!found || !keys.every((key) => found.has(key))) throw err;
    late = found;
  }
  if (late) {
    keepFound(run, keys, late);
    run.stats.storeHits = keys.length;
  }
}

/**
 * A fallback route's own cached answers for a batch, when it holds all of them: during an outage of
 * the primary, what the fallback answered before is served again instead of being recomputed.
 */
export async function cachedOn(run: ItemRun, route: ItemRoute, indices: readonly number[]): Promise<string[] | undefined> {
  const { deps, source } = run;
  if (!run.read || !route.cacheable) return undefined;
  const items = indices.map((i) => source.items[i]);
  const values = items.map((item) => deps.memory?.get(memoryKey(route, item)));
  const absent = items.filter((_, j) => values[j] === undefined);
  if (absent.length && deps.store) {
    const keyOf = (item: string) => route.prefix + run.hashOfItem.get(item)!;
    const lookup = deps.store.getMany(absent.map(keyOf)).catch(() => new Map<string, string>());
    const found = keepValid((await withinDeadline(lookup, STORE_WAIT_BOUND_MS)) ?? new Map(), source.isValid, deps);
    items.forEach((item, j) => {
      values[j] ??= found.get(keyOf(item));
    });
  }
  return values.every((v) => v !== undefined) ? (values as string[]) : undefined;
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

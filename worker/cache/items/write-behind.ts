import { type ItemRun, memoryKey } from "./run";
import { afterResponse, STORE_WAIT_BOUND_MS, withinDeadline } from "./timing";
import type { ItemRoute } from "./types";

/**
 * Step 5: values a route fetched go to the memory tier and, unless this isolate stored them
 * already, to the store, written after the response is on its way. A fallback route's answers are
 * kept under its own prefix: they never answer for the primary's.
 */
export function remember(run: ItemRun, route: ItemRoute, keys: readonly string[], values: readonly string[]): void {
  const { deps, policy } = run;
  // `no-store` keeps the answer out of every tier, the isolate's memory included.
  if (!policy.write) return;
  const toWrite: Array<[string, string]> = [];
  const memoryKeys = new Map<string, string>();
  keys.forEach((key, i) => {
    const item = run.itemOfKey.get(key)!;
    const inMemory = memoryKey(route, item);
    const already = deps.memory?.wasStored(inMemory) ?? false;
    deps.memory?.set(inMemory, values[i], run.expiresAt, already);
    if (!already) {
      const storeKey = route.prefix + run.hashOfItem.get(item)!;
      toWrite.push([storeKey, values[i]]);
      memoryKeys.set(storeKey, inMemory);
    }
  });
  // Within the store's per-request budget (KV: 1,000 operations an invocation); the rest are written
  // by a later request that misses them.
  if (toWrite.length > run.writesLeft) toWrite.length = Math.max(0, run.writesLeft);
  run.writesLeft -= toWrite.length;
  const store = deps.store;
  if (!store || !toWrite.length) return;
  run.stats.storeWriteKeys += toWrite.length;
  const pending = run.lateRead;
  const write = async () => {
    // A late store read is waited for (boundedly), so what it found is not written again.
    const present = pending ? await withinDeadline(pending, STORE_WAIT_BOUND_MS) : undefined;
    const entries = present ? toWrite.filter(([key]) => !present.has(key)) : toWrite;
    if (entries.length) await store.putMany(entries, policy.ttlSeconds);
    // Only a write that happened makes this isolate skip the item next time.
    for (const [key] of entries) deps.memory?.markStored(memoryKeys.get(key)!);
  };
  // Written once the answer is on its way: the write's own work (and, locally, the store simulation
  // sharing workerd's thread, ~3 ms a 1-input miss) never holds up the response.
  deps.waitUntil(
    afterResponse()
      .then(write)
      .catch((err) => deps.log({ level: "warn", message: "store write failed", store: store.kind, error: String(err) })),
  );
}

import { finish, type ItemRun, memoryKey, startRun } from "./items/run";
import { keyMissing, raceLateRead, readMemory, readStore } from "./items/tiers";
import type { CacheDeps, CachePolicy, ItemSource, ResolvedItems } from "./items/types";
import { fetchWhole, joinOrFetch } from "./items/upstream";

export { isRouteFailure } from "./items/fallback";
export type * from "./items/types";

/**
 * The item path shared by embeddings and rerank, in named steps over one state (`ItemRun`):
 * deduplicate → memory tier → store read under its deadline → fetch what is missing (sharing,
 * batching, fallback) → write behind → assemble in request order.
 *
 * @example
 * const { values, stats } = await resolveItems({ items: texts, routes, isValid, maxBatch: 100 }, policy, deps);
 */
export async function resolveItems(source: ItemSource, policy: CachePolicy, deps: CacheDeps): Promise<ResolvedItems> {
  const run = startRun(source, policy, deps);
  const upstream: Promise<unknown>[] = [];
  try {
    if (!run.primary.cacheable) {
      const work = fetchWhole(run);
      upstream.push(work);
      const values = await work;
      return { values, keyOf: (i) => memoryKey(run.primary, source.items[i]), usage: run.usage, stats: run.stats };
    }
    const missing = readMemory(run);
    if (missing.length === 0) return finish(run);
    const keys = await keyMissing(run, missing);
    const { remaining, late } = await readStore(run, keys);
    if (late) {
      await raceLateRead(run, remaining, late, () => track(upstream, joinOrFetch(run, remaining)));
      run.stats.misses = keys.length - run.stats.storeHits;
    } else {
      run.stats.misses = remaining.length;
      await track(upstream, joinOrFetch(run, remaining));
    }
    return finish(run);
  } finally {
    settleAfter(run, upstream);
  }
}

function track(list: Promise<unknown>[], work: Promise<void>): Promise<void> {
  list.push(work);
  return work;
}

/**
 * Once all of the request's own upstream work has settled (some may outlive the response), tells
 * whoever admitted it what was really spent.
 */
function settleAfter(run: ItemRun, upstream: readonly Promise<unknown>[]): void {
  const admission = run.admission;
  if (!admission) return;
  run.deps.waitUntil(
    Promise.allSettled(upstream).then(async () => {
      const settle = await admission.catch(() => undefined);
      settle?.(run.stats.spent);
    }),
  );
}

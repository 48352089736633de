import { addUsage, NO_USAGE, type Usage } from "../../common/token-usage";
import type { CacheDeps, CachePolicy, ItemRoute, ItemSource, ItemStats, ResolvedItems, Settle, UpstreamSpend } from "./types";

/**
 * Everything one request's trip through the item path knows, in one place: each step reads and
 * updates this state, and the order of the steps is the order `resolveItems` calls them in.
 */
export interface ItemRun {
  readonly source: ItemSource;
  readonly policy: CachePolicy;
  readonly deps: CacheDeps;
  /** The route whose cache answers: the model's first. */
  readonly primary: ItemRoute;
  /** Whether the tiers may answer (the request allows it and the primary's answers are cacheable). */
  readonly read: boolean;
  /** When an entry written now expires in the memory tier. */
  readonly expiresAt: number;
  /** Each distinct item's first position in the request, in first-seen order. */
  readonly firstIndex: ReadonlyMap<string, number>;
  /** Distinct items, in first-seen order. */
  readonly unique: readonly string[];
  /** Values found or fetched so far, by item. */
  readonly values: Map<string, string>;
  /** Store keys of the items the memory tier did not have, both ways. */
  readonly itemOfKey: Map<string, string>;
  readonly hashOfItem: Map<string, string>;
  readonly stats: ItemStats;
  /** Tokens billed for this request's own upstream calls. */
  usage: Usage;
  /** Store writes this request may still make. */
  writesLeft: number;
  /** A store read still under way when the misses went upstream: writes skip what it finds. */
  lateRead: Promise<Map<string, string>> | undefined;
  /** The request's own upstream work, once any has started: admission and its settlement. */
  admission: Promise<Settle | undefined> | undefined;
  /** Batches of this request's own that are under way or done, for settling the admission. */
  readonly ownBatches: Promise<unknown>[];
  /** Batch slots: at most `policy.maxConcurrentBatches` of this request's calls run at once. */
  readonly slots: { free: number; waiting: Array<() => void> };
}

/** A fresh run: duplicates collapsed, nothing read yet. */
export function startRun(source: ItemSource, policy: CachePolicy, deps: CacheDeps, now = Date.now()): ItemRun {
  const primary = source.routes[0];
  const firstIndex = firstIndexes(source.items);
  return {
    source,
    policy,
    deps,
    primary,
    read: policy.read && primary.cacheable,
    expiresAt: now + policy.ttlSeconds * 1000,
    firstIndex,
    unique: [...firstIndex.keys()],
    values: new Map(),
    itemOfKey: new Map(),
    hashOfItem: new Map(),
    stats: {
      memoryHits: 0,
      storeHits: 0,
      misses: 0,
      storeReadKeys: 0,
      storeReadMs: 0,
      storeWriteKeys: 0,
      upstreamCalls: 0,
      upstreamMs: 0,
      providers: [],
      spent: [],
    },
    usage: NO_USAGE,
    writesLeft: deps.store?.maxWritesPerRequest ?? 0,
    lateRead: undefined,
    admission: undefined,
    ownBatches: [],
    slots: { free: Math.max(1, policy.maxConcurrentBatches), waiting: [] },
  };
}

/** Each distinct item's first position, in the order they first appear. */
function firstIndexes(items: readonly string[]): Map<string, number> {
  const first = new Map<string, number>();
  items.forEach((item, i) => first.has(item) || first.set(item, i));
  return first;
}

/** The memory tier's key: the text itself behind the route's prefix, so its hits cost no hashing. */
export const memoryKey = (route: ItemRoute, item: string) => `${route.prefix}\u0000${item}`;

/** Adds what a route spent on one batch to the request's totals. */
export function addSpend(spent: UpstreamSpend[], entry: UpstreamSpend): void {
  const same = spent.find((s) => s.route === entry.route);
  if (!same) {
    spent.push({ ...entry, usage: { ...entry.usage } });
    return;
  }
  same.inputs += entry.inputs;
  same.usage = addUsage(same.usage, entry.usage);
}

/**
 * The answer in request order: every position gets its item's value, so duplicates share one.
 * Throws if an item has no value, which would be a bug of the steps before, never a silent hole.
 */
export function assemble(items: readonly string[], values: ReadonlyMap<string, string>): string[] {
  return items.map((item, i) => {
    const value = values.get(item);
    if (value === undefined) throw new Error(`item ${i} was neither found nor fetched`);
    return value;
  });
}

/** The finished run as the caller sees it. */
export function finish(run: ItemRun): ResolvedItems {
  return {
    values: assemble(run.source.items, run.values),
    // A key holds the whole text: built for each item only if a float answer needs it.
    keyOf: (i) => memoryKey(run.primary, run.source.items[i]),
    usage: run.usage,
    stats: run.stats,
  };
}

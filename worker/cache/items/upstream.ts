import { addUsage } from "../../common/token-usage";
import { type CachedOn, fetchWithFallback, isRouteFailure, type RouteAnswer } from "./fallback";
import { awaitShared, joinInflight, trackInflight } from "./inflight";
import { addSpend, type ItemRun } from "./run";
import { cachedOn, setValue } from "./tiers";
import { remember } from "./write-behind";

/**
 * Step 4: gets `keys` upstream, sharing identical calls already in flight in this isolate. A shared
 * call is used only when a route of this request's model answered it (never another model's vector
 * space); one that failed through upstream trouble fails here too; one refused for its owner's own
 * input (a 4xx) is none of this request's business, so its items are fetched anew.
 */
export async function joinOrFetch(run: ItemRun, keys: readonly string[]): Promise<void> {
  const joined: Array<[string, ReturnType<typeof joinInflight> & {}]> = [];
  const owned: string[] = [];
  for (const key of keys) {
    const pending = run.read ? joinInflight(key) : undefined;
    if (pending) joined.push([key, pending]);
    else owned.push(key);
  }
  const prefixes = new Set(run.source.routes.map((route) => route.prefix));
  const sharedWork = joined.map(async ([key, pending]) => {
    const shared = await awaitShared(pending, run.policy.maxShareWaitMs, isRouteFailure);
    if (shared === undefined || !prefixes.has(shared.prefix)) return key;
    setValue(run, key, shared.value);
    return undefined;
  });
  const ownedWork = fetchBatches(run, owned);
  const [, abandoned] = await Promise.all([ownedWork, Promise.all(sharedWork)]);
  const orphans = abandoned.filter((key): key is string => key !== undefined);
  if (orphans.length) await fetchBatches(run, orphans);
}

/**
 * Asks `admit` once, before the request's first upstream call; later calls of the same request wait
 * for that one answer. Throws when the request is refused.
 */
async function admitted(run: ItemRun, keys: readonly string[]): Promise<void> {
  if (!run.deps.admit) return;
  run.admission ??= run.deps.admit(keys.map((key) => run.itemOfKey.get(key)!));
  await run.admission;
}

/** Splits `keys` into batches of the model's size and fetches them, at most a few at a time. */
async function fetchBatches(run: ItemRun, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await admitted(run, keys);
  const { source, stats } = run;
  const fromCache: CachedOn = (route, items) => cachedOn(run, route, items);
  const batches: Promise<void>[] = [];
  for (let start = 0; start < keys.length; start += source.maxBatch) {
    const batchKeys = keys.slice(start, start + source.maxBatch);
    const indices = batchKeys.map((key) => run.firstIndex.get(run.itemOfKey.get(key)!)!);
    const work = inSlot(run, () => fetchWithFallback(source.routes, indices, stats, run.policy.deadline, fromCache)).then((answer) => ({
      ...answer,
      prefix: answer.route.prefix,
    }));
    trackInflight(batchKeys, work);
    // If this request is cancelled, the call still finishes for the requests sharing it.
    run.deps.waitUntil(work.catch(() => {}));
    batches.push(work.then((answer) => keepAnswer(run, batchKeys, answer)));
  }
  await Promise.all(batches);
}

/** A batch's answer: counted, set, and remembered unless it came from the fallback's own cache. */
function keepAnswer(run: ItemRun, keys: readonly string[], answer: RouteAnswer): void {
  keys.forEach((key, i) => setValue(run, key, answer.values[i]));
  if (answer.cached) return;
  run.usage = addUsage(run.usage, answer.usage);
  const { route } = answer;
  addSpend(run.stats.spent, {
    provider: route.provider,
    route: run.source.routes.indexOf(route),
    inputs: keys.length,
    usage: answer.usage,
  });
  if (route.cacheable) remember(run, route, keys, answer.values);
}

/**
 * Scores that depend on the whole request (BM25's IDF) are asked for with every item, in request
 * order, duplicates and all, in one call: never deduplicated, batched, shared or stored.
 */
export async function fetchWhole(run: ItemRun): Promise<string[]> {
  const { source, stats } = run;
  run.stats.misses = run.unique.length;
  if (run.deps.admit) {
    run.admission = run.deps.admit(run.unique);
    await run.admission;
  }
  const answer = await fetchWithFallback(
    source.routes,
    source.items.map((_, i) => i),
    stats,
    run.policy.deadline,
  );
  run.usage = answer.usage;
  addSpend(stats.spent, {
    provider: answer.route.provider,
    route: source.routes.indexOf(answer.route),
    inputs: source.items.length,
    usage: answer.usage,
  });
  return answer.values;
}

/** Runs `work` when one of the request's batch slots is free; a freed slot passes straight to the next waiter. */
async function inSlot<T>(run: ItemRun, work: () => Promise<T>): Promise<T> {
  const { slots } = run;
  if (slots.free > 0) slots.free--;
  else await new Promise<void>((resolve) => slots.waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = slots.waiting.shift();
    if (next) next();
    else slots.free++;
  }
}

// Identical misses in flight in this isolate share one upstream call. The map holds only work
// under way: every entry is removed the moment its work settles, so it cannot grow without bound.

/** A value being fetched, with the store prefix of the route that answered it (its vector space). */
export interface Shared {
  value: string;
  prefix: string;
}

const inflight = new Map<string, Promise<Shared>>();

/** How often a request waiting on another request's upstream call wakes up. */
const KEEPALIVE_MS = 25;

export function joinInflight(key: string): Promise<Shared> | undefined {
  return inflight.get(key);
}

/**
 * Registers `keys` as being fetched by `work` (which resolves to values aligned with `keys` and the
 * prefix of the route that answered them). Returns `work` unchanged for the owner to await.
 */
export function trackInflight<T extends { values: readonly string[]; prefix: string }>(
  keys: readonly string[],
  work: Promise<T>,
): Promise<T> {
  const entries = keys.map((key, i) => {
    const one = work.then(({ values, prefix }) => ({ value: values[i], prefix }));
    // Joiners handle the rejection themselves; this stops an unjoined entry being an unhandled rejection.
    one.catch(() => {});
    inflight.set(key, one);
    return one;
  });
  const clear = () => {
    // Only this work's own entries: a later call for the same key may have replaced one.
    keys.forEach((key, i) => inflight.get(key) === entries[i] && inflight.delete(key));
  };
  work.then(clear, clear);
  return work;
}

/**
 * Waits for another request's upstream call. workerd cancels a request that has nothing of its
 * own pending ("your Worker's code had hung"), and a promise settled by another request's I/O does
 * not count, so the waiter keeps a timer of its own running. Gives up after `maxWaitMs` (the owner
 * may have been cancelled) and returns `undefined` then, or when the owner failed for a reason
 * that is not an answer (the caller then fetches the value itself).
 */
export async function awaitShared(
  shared: Promise<Shared>,
  maxWaitMs: number,
  isAnswer: (error: unknown) => boolean,
): Promise<Shared | undefined> {
  let outcome: { value: Shared } | { error: unknown } | undefined;
  shared.then(
    (value) => (outcome = { value }),
    (error) => (outcome = { error }),
  );
  const deadline = Date.now() + maxWaitMs;
  while (!outcome && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, KEEPALIVE_MS));
  }
  if (!outcome) return undefined;
  if ("value" in outcome) return outcome.value;
  if (isAnswer(outcome.error)) throw outcome.error;
  return undefined;
}

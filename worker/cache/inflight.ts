// Identical misses in flight in this isolate share one upstream call. The map holds only work
// under way: every entry is removed the moment its work settles, so it cannot grow without bound.
const inflight = new Map<string, Promise<string>>();

export function joinInflight(key: string): Promise<string> | undefined {
  return inflight.get(key);
}

/**
 * Registers `keys` as being fetched by `work` (which resolves to values aligned with `keys`).
 * Returns `work` unchanged for the owner to await.
 */
export function trackInflight(keys: readonly string[], work: Promise<string[]>): Promise<string[]> {
  keys.forEach((key, i) => {
    const one = work.then((values) => values[i]);
    // Joiners handle the rejection themselves; this stops an unjoined entry being an unhandled rejection.
    one.catch(() => {});
    inflight.set(key, one);
  });
  const clear = () => {
    for (const key of keys) inflight.delete(key);
  };
  work.then(clear, clear);
  return work;
}

export function inflightSize(): number {
  return inflight.size;
}

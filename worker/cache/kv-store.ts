import { type CacheStore, chunks } from "./store";

/** KV's bulk read takes at most 100 keys a call (each key is billed as one read). */
const KV_BULK_LIMIT = 100;

/** Workers KV: one entry per item, read in bulk as text, written one put per item. */
export function kvStore(kv: KVNamespace): CacheStore {
  return {
    kind: "kv",
    // 1,000 operations an invocation: room for the bulk reads (21 for 2,048 keys) and a margin.
    maxWritesPerRequest: 900,
    async getMany(keys) {
      const maps = await Promise.all(chunks(keys, KV_BULK_LIMIT).map((slice) => kv.get(slice, "text")));
      const found = new Map<string, string>();
      for (const map of maps) for (const [key, value] of map) if (value !== null) found.set(key, value);
      return found;
    },
    async putMany(entries, ttlSeconds) {
      const results = await Promise.allSettled(entries.map(([key, value]) => kv.put(key, value, { expirationTtl: ttlSeconds })));
      const failed = results.filter((r) => r.status === "rejected").length;
      if (failed) throw new Error(`${failed} of ${entries.length} KV writes failed`);
    },
  };
}

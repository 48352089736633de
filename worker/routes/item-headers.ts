import type { Context } from "hono";
import { setMetric } from "hono/timing";
import type { ItemStats } from "../cache/item-cache";

/** `HIT` when nothing was missing, `MISS` when nothing was found, else `PARTIAL`. */
export function cacheStatus(hits: number, misses: number): "HIT" | "MISS" | "PARTIAL" {
  if (misses === 0) return "HIT";
  return hits === 0 ? "MISS" : "PARTIAL";
}

/**
 * What the gateway did, for clients and devtools: cache status and counts (distinct items), hits by
 * tier, the provider(s) that answered the misses, Server-Timing for the store and upstream, and a
 * request `Cache-Control` directive the gateway did not follow (`no-cache` from a token).
 */
export function setItemHeaders(c: Context, stats: ItemStats, ignoredDirective?: string): void {
  if (ignoredDirective) c.header("X-Cache-Directive-Ignored", ignoredDirective);
  const hits = stats.memoryHits + stats.storeHits;
  c.header("X-Cache", cacheStatus(hits, stats.misses));
  c.header("X-Cache-Hits", String(hits));
  c.header("X-Cache-Misses", String(stats.misses));
  c.header("X-Cache-Breakdown", `memory=${stats.memoryHits}, store=${stats.storeHits}`);
  if (stats.providers.length) c.header("X-Provider", stats.providers.join(", "));
  if (stats.storeReadKeys) setMetric(c, "store-read", stats.storeReadMs, `${stats.storeReadKeys} keys`);
  if (stats.upstreamCalls) setMetric(c, "upstream", stats.upstreamMs, `${stats.upstreamCalls} calls`);
  if (stats.storeWriteKeys) setMetric(c, "store-write", `${stats.storeWriteKeys} keys`);
}

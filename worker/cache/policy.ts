import type { Context } from "hono";
import type { GatewayConfig } from "../config";
import type { CachePolicy, ResolvedItems } from "./item-cache";

/**
 * The cache policy for one request: request `Cache-Control: no-cache` skips the read, `no-store`
 * skips the write; TTL and how long to wait on another request's identical call come from config.
 */
export function cachePolicyFrom(cacheControl: string | undefined, config: GatewayConfig): CachePolicy {
  const directives = (cacheControl ?? "").toLowerCase().split(",").map((d) => d.trim());
  return {
    read: !directives.includes("no-cache"),
    write: !directives.includes("no-store"),
    ttlSeconds: config.cacheTtlSeconds,
    // The owner's worst case: every attempt timing out, plus backoff.
    maxShareWaitMs: config.upstreamTimeoutMs * (config.upstreamRetries + 1) + 5000,
  };
}

/** `HIT` when nothing was missing, `MISS` when nothing was found, else `PARTIAL`. */
export function cacheStatus(hits: number, misses: number): "HIT" | "MISS" | "PARTIAL" {
  if (misses === 0) return "HIT";
  return hits === 0 ? "MISS" : "PARTIAL";
}

export function setCacheHeaders(c: Context, resolved: ResolvedItems): void {
  c.header("X-Cache", cacheStatus(resolved.hits, resolved.misses));
  c.header("X-Cache-Hits", String(resolved.hits));
  c.header("X-Cache-Misses", String(resolved.misses));
}

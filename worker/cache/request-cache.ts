import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { GatewayConfig } from "../config";
import type { CacheDeps, CachePolicy } from "./item-cache";

/**
 * The cache policy for one request: request `Cache-Control: no-cache` skips the reads (memory and
 * store), `no-store` skips the write; the rest comes from config.
 */
export function cachePolicyFrom(cacheControl: string | undefined, config: GatewayConfig): CachePolicy {
  const directives = cacheControl
    ? cacheControl
        .toLowerCase()
        .split(",")
        .map((d) => d.trim())
    : [];
  return {
    read: !directives.includes("no-cache"),
    write: !directives.includes("no-store"),
    ttlSeconds: config.cacheTtlSeconds,
    // The owner's worst case: its whole upstream deadline, plus a margin for its own bookkeeping.
    maxShareWaitMs: config.upstreamDeadlineMs + 5000,
    storeDeadlineMs: config.cache.storeDeadlineMs,
    deadline: Date.now() + config.upstreamDeadlineMs,
    maxConcurrentBatches: config.upstreamConcurrency,
  };
}

/** What the cache engine needs from this request: the store, the memory tier, waitUntil and a logger. */
export function cacheDeps(c: Context<AppEnv>): CacheDeps {
  const gateway = c.get("gateway");
  const requestId = c.get("requestId");
  return {
    store: gateway.store,
    memory: gateway.memory,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
    log: (fields) => console.warn(JSON.stringify({ request_id: requestId, ...fields })),
  };
}

import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { admitBudget } from "../budgets/admit";
import type { ServedModel } from "../catalogue/resolve";
import type { GatewayConfig, GatewayEnv } from "../config";
import { accountSpend, spendTotals } from "../usage/account";
import { d1Store } from "./d1-store";
import type { CacheDeps, CachePolicy, UpstreamSpend } from "./item-cache";
import { kvStore } from "./kv-store";
import { memoryTierFor } from "./memory-tier";
import type { CacheStore } from "./store";

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

const stores = new WeakMap<object, CacheStore>();

function storeFor(env: GatewayEnv, config: GatewayConfig): CacheStore {
  const binding: object = config.cache.store === "d1" ? env.EMBED_CACHE_DB! : env.EMBED_CACHE;
  let store = stores.get(binding);
  if (!store) {
    store = config.cache.store === "d1" ? d1Store(env.EMBED_CACHE_DB!) : kvStore(env.EMBED_CACHE);
    stores.set(binding, store);
  }
  return store;
}

/**
 * Before a request's misses go upstream: its budgets are checked and an estimate reserved (throws
 * 429 when spent); once its upstream work settles, what each route spent is accounted and the
 * reservation settled with the real figure.
 */
async function admitRequest(c: Context<AppEnv>, model: ServedModel, texts: readonly string[], extraChars: number) {
  const admission = await admitBudget(c, model, texts, extraChars);
  return (spent: readonly UpstreamSpend[]) => {
    accountSpend(c, model, spent);
    if (admission) admission.settle(spendTotals(model, spent));
  };
}

/**
 * What the cache engine needs from this request: the store, the memory tier, waitUntil, a logger
 * and, for a model route, the budget check and usage accounting of its upstream work
 * (`extraChars`: characters sent with each item besides its text, a rerank query).
 */
export function cacheDeps(c: Context<AppEnv>, model?: ServedModel, extraChars = 0): CacheDeps {
  const config = c.get("config");
  const requestId = c.get("requestId");
  const deps = {
    store: storeFor(c.env, config),
    memory: memoryTierFor(config.cache.memoryBytes),
    waitUntil: (work: Promise<unknown>) => c.executionCtx.waitUntil(work),
    log: (fields: Record<string, unknown>) => console.warn(JSON.stringify({ request_id: requestId, ...fields })),
    admit: model ? (texts: readonly string[]) => admitRequest(c, model, texts, extraChars) : undefined,
  };
  return deps;
}

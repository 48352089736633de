import type { Context } from "hono";
import type { AppEnv, Principal } from "../app-env";
import { admitBudget } from "../budgets/admit";
import type { ServedModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import { accountSpend, spendTotals } from "../usage/account";
import type { CacheDeps, CachePolicy, UpstreamSpend } from "./item-cache";

/** The cache policy for one request, and the request directive it did not follow (for `X-Cache-Directive-Ignored`). */
export interface RequestCachePolicy {
  policy: CachePolicy;
  ignored: "no-cache" | undefined;
}

/**
 * The cache policy for one request: `Cache-Control: no-cache` skips the reads (memory and store) and
 * the sharing of identical work in flight, `no-store` skips the write; the rest comes from config.
 * `no-cache` is followed only for server keys: from a token or in open mode it would let anyone who
 * holds a page's token send every input upstream again, as often as the rate limit allows, at the
 * operator's expense. Those requests are answered from the cache as usual and told so.
 */
export function cachePolicyFrom(cacheControl: string | undefined, config: GatewayConfig, principal: Principal): RequestCachePolicy {
  const directives = cacheControl
    ? cacheControl
        .toLowerCase()
        .split(",")
        .map((d) => d.trim())
    : [];
  const noCache = directives.includes("no-cache");
  const honoured = noCache && principal.kind === "server-key";
  return { policy: policyOf(!honoured, !directives.includes("no-store"), config), ignored: noCache && !honoured ? "no-cache" : undefined };
}

/**
 * Whose cache entries a request reads and writes: undefined for the shared cache (CACHE_SCOPE=shared);
 * with CACHE_SCOPE=subject, the server key's id, also for the tokens it minted (their `kid`). A token
 * without a key id gets its own subject; open mode's anonymous callers share one.
 */
export function cacheSubjectOf(config: GatewayConfig, principal: Principal): string | undefined {
  if (config.cache.scope === "shared") return undefined;
  if (principal.keyId !== undefined) return `key:${principal.keyId}`;
  return principal.kind === "anonymous" ? "anonymous" : principal.id;
}

function policyOf(read: boolean, write: boolean, config: GatewayConfig): CachePolicy {
  return {
    read,
    write,
    ttlSeconds: config.cacheTtlSeconds,
    // The owner's worst case: its whole upstream deadline, plus a margin for its own bookkeeping.
    maxShareWaitMs: config.upstreamDeadlineMs + 5000,
    storeDeadlineMs: config.cache.storeDeadlineMs,
    deadline: Date.now() + config.upstreamDeadlineMs,
    maxConcurrentBatches: config.upstreamConcurrency,
  };
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
  const gateway = c.get("gateway");
  const requestId = c.get("requestId");
  return {
    store: gateway.store,
    memory: gateway.memory,
    waitUntil: (work) => c.executionCtx.waitUntil(work),
    log: (fields) => console.warn(JSON.stringify({ request_id: requestId, ...fields })),
    admit: model ? (texts) => admitRequest(c, model, texts, extraChars) : undefined,
  };
}

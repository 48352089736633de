import type { Context } from "hono";
import type { AppEnv, Principal } from "../app-env";
import { admitBudget } from "../budgets/admit";
import { embedItems } from "../cache/embed-items";
import type { CacheDeps, CachePolicy, ResolvedItems, UpstreamSpend } from "../cache/item-cache";
import { type RerankInput, rerankItems } from "../cache/rerank-items";
import type { ServedModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import { account, accountSpend, spendTotals } from "../usage/account";

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
function cachePolicyFrom(cacheControl: string | undefined, config: GatewayConfig, principal: Principal): RequestCachePolicy {
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
function cacheSubjectOf(config: GatewayConfig, principal: Principal): string | undefined {
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
function cacheDeps(c: Context<AppEnv>, model?: ServedModel, extraChars = 0): CacheDeps {
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

/** A request's way to the item path, with everything it brings: one cache policy, budgets, accounting, cache subject. */
export interface ItemRequest {
  /** The `Cache-Control` directive this request sent and the gateway did not follow (`X-Cache-Directive-Ignored`). */
  ignored: "no-cache" | undefined;
  /** Embeds `texts` through the cache and accounts the request. */
  embed(model: ServedModel, texts: readonly string[]): Promise<ResolvedItems>;
  /** Scores documents through the cache and accounts the request; the query goes up with every document. */
  rerank(model: ServedModel, input: RerankInput): ReturnType<typeof rerankItems>;
}

/**
 * The item path for one request: its cache policy (one upstream deadline however many calls it
 * makes), its cache subject, and per model the budget check and accounting. The routes and the
 * collections both go through it.
 */
export function itemRequest(c: Context<AppEnv>): ItemRequest {
  const config = c.get("config");
  const principal = c.get("principal");
  const cache = cachePolicyFrom(c.req.header("cache-control"), config, principal);
  const subject = cacheSubjectOf(config, principal);
  const ctx = { requestId: c.get("requestId") };
  return {
    ignored: cache.ignored,
    async embed(model, texts) {
      const resolved = await embedItems(ctx, model, texts, cache.policy, cacheDeps(c, model), subject);
      account(c, model, texts, resolved.stats);
      return resolved;
    },
    async rerank(model, input) {
      const extra = input.query.length;
      const resolved = await rerankItems(ctx, model, input, cache.policy, cacheDeps(c, model, extra), subject);
      account(c, model, resolved.identities, resolved.stats, extra);
      return resolved;
    },
  };
}

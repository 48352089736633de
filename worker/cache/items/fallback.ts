import { NO_USAGE, type Usage } from "../../common/token-usage";
import { ApiError } from "../../errors";
import { msUntilProbe, recordAttempt, routeAllowed } from "./circuit-breaker";
import type { ItemRoute, ItemStats } from "./types";

/** A route failure the next route may answer: upstream trouble, not a refusal of the request. */
export const isRouteFailure = (err: unknown) =>
  err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.code === "upstream_model_unavailable");

/** An answer for a batch: the values, what they cost, who answered, and whether from its cache. */
export interface RouteAnswer {
  values: string[];
  usage: Usage;
  route: ItemRoute;
  cached: boolean;
}

/** A fallback route's own cached answers for a batch, when it holds all of them. */
export type CachedOn = (route: ItemRoute, items: readonly number[]) => Promise<string[] | undefined>;

/**
 * Tries each route in order; a failure that is not the request's fault moves on to the next one,
 * which first answers from its own cache when it can (`cachedOn`). A route whose circuit breaker is
 * open is skipped at once, and no route is tried after the request's deadline.
 */
export async function fetchWithFallback(
  routes: readonly ItemRoute[],
  items: readonly number[],
  stats: ItemStats,
  deadline: number,
  cachedOn?: CachedOn,
): Promise<RouteAnswer> {
  let firstError: unknown;
  for (const route of routes) {
    if (route !== routes[0] && cachedOn) {
      const values = await cachedOn(route, items);
      if (values) return { values, usage: NO_USAGE, route, cached: true };
    }
    if (!routeAllowed(route.prefix)) {
      firstError ??= unavailable(route);
      continue;
    }
    if (Date.now() >= deadline) {
      firstError ??= new ApiError(
        504,
        "upstream_timeout",
        "The upstream did not answer within the request's deadline (UPSTREAM_DEADLINE_MS).",
      );
      break;
    }
    const started = Date.now();
    stats.upstreamCalls++;
    let attempts = 0;
    const attempted = (ok: boolean) => {
      attempts++;
      recordAttempt(route.prefix, ok);
    };
    try {
      const answer = await route.fetch(items, { deadline, attempted });
      if (!attempts) recordAttempt(route.prefix, true);
      stats.upstreamMs += Date.now() - started;
      if (!stats.providers.includes(route.provider)) stats.providers.push(route.provider);
      return { ...answer, route, cached: false };
    } catch (err) {
      stats.upstreamMs += Date.now() - started;
      if (!isRouteFailure(err)) throw err;
      // Providers that make no HTTP call (the local ones) report no attempts: the call is the attempt.
      // A rate limit (429) is no sign of an outage, so it never trips the breaker.
      if (!attempts && !(err instanceof ApiError && err.status === 429)) recordAttempt(route.prefix, false);
      firstError ??= err;
    }
  }
  throw firstError;
}

/** The answer while a route's breaker is open: a 503 with the wait until it is probed again. */
function unavailable(route: ItemRoute): ApiError {
  const seconds = Math.max(1, Math.ceil(msUntilProbe(route.prefix) / 1000));
  return new ApiError(
    503,
    "upstream_unavailable",
    `The ${route.provider} provider failed repeatedly and is skipped for now; retry in ${seconds} s.`,
    { headers: { "retry-after": String(seconds) } },
  );
}

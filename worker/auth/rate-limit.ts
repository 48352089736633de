import { logThrottle } from "../common/log-throttle";
import type { GatewayEnv } from "../config";
import { ApiError } from "../errors";
import type { Principal } from "./principal";

/** Must match the `period` of the [[ratelimits]] bindings in wrangler.toml. */
const RATE_LIMIT_PERIOD_SECONDS = 60;
/** How soon a client may retry when the limiter itself fails. */
const UNAVAILABLE_RETRY_SECONDS = 10;
/** A failing limiter fails every request: one line a minute per isolate says so without flooding the log. */
const failureLogged = logThrottle(60_000, 1);

/**
 * A 503 for a limiter that threw: without an answer the gateway cannot know the client is within its
 * limit, so it refuses (fails closed) rather than serve unlimited or answer a 500.
 */
function limiterFailed(err: unknown, requestId: string): ApiError {
  if (failureLogged("rate limiter")) {
    console.error(
      JSON.stringify({
        level: "error",
        request_id: requestId,
        message: "the rate limiter failed; answering 503 (logged at most once a minute per isolate)",
        error: `${(err as Error)?.name}: ${(err as Error)?.message}`,
      }),
    );
  }
  return new ApiError(503, "rate_limiter_unavailable", "The gateway cannot check its rate limits right now; retry shortly.", {
    type: "server_error",
    headers: { "retry-after": String(UNAVAILABLE_RETRY_SECONDS) },
  });
}

/**
 * Per-client limits through Cloudflare's Rate Limiting binding, keyed by the principal (`kid/sub` for
 * tokens, server-key id or client IP). Tokens with tier "high" use RATE_LIMITER_HIGH when bound.
 * With RATE_LIMIT=off, or in open mode without a binding (config refuses a missing one elsewhere),
 * there is nothing to wait for, so nothing is awaited.
 */
export function checkRateLimit(env: GatewayEnv, principal: Principal, enabled: boolean, requestId: string): Promise<void> | undefined {
  if (!enabled) return undefined;
  const limiter = principal.tier === "high" && env.RATE_LIMITER_HIGH ? env.RATE_LIMITER_HIGH : env.RATE_LIMITER;
  if (!limiter) return undefined;
  let outcome: Promise<RateLimitOutcome>;
  try {
    outcome = limiter.limit({ key: principal.id });
  } catch (err) {
    return Promise.reject(limiterFailed(err, requestId));
  }
  return outcome.then(
    ({ success }) => {
      if (!success) {
        throw new ApiError(
          429,
          "rate_limit_exceeded",
          `Too many requests for this client; the limit resets within ${RATE_LIMIT_PERIOD_SECONDS} s.`,
          { headers: { "retry-after": String(RATE_LIMIT_PERIOD_SECONDS) } },
        );
      }
    },
    (err) => {
      throw limiterFailed(err, requestId);
    },
  );
}

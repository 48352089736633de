import type { Principal } from "../app-env";
import type { GatewayEnv } from "../config";
import { ApiError } from "../errors";

/** Must match the `period` of the [[ratelimits]] bindings in wrangler.toml. */
const RATE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Per-client limits through Cloudflare's Rate Limiting binding, keyed by the principal (token
 * sub, server-key id or client IP). Tokens with tier "high" use RATE_LIMITER_HIGH when bound.
 * Without a binding there is nothing to wait for, so nothing is awaited.
 */
export function checkRateLimit(env: GatewayEnv, principal: Principal): Promise<void> | undefined {
  const limiter = principal.tier === "high" && env.RATE_LIMITER_HIGH ? env.RATE_LIMITER_HIGH : env.RATE_LIMITER;
  if (!limiter) return undefined;
  return limiter.limit({ key: principal.id }).then(({ success }) => {
    if (!success) {
      throw new ApiError(
        429,
        "rate_limit_exceeded",
        `Too many requests for this client; the limit resets within ${RATE_LIMIT_PERIOD_SECONDS} s.`,
        {
          headers: { "retry-after": String(RATE_LIMIT_PERIOD_SECONDS) },
        },
      );
    }
  });
}

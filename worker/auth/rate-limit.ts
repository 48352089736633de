import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";

/** Must match the `period` of the [[ratelimits]] bindings in wrangler.toml. */
const RATE_LIMIT_PERIOD_SECONDS = 60;

/**
 * Per-client limits through Cloudflare's Rate Limiting binding, keyed by the principal (token
 * sub, server-key id or client IP). Tokens with tier "high" use RATE_LIMITER_HIGH when bound.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const principal = c.get("principal");
    const limiter = principal.tier === "high" && c.env.RATE_LIMITER_HIGH ? c.env.RATE_LIMITER_HIGH : c.env.RATE_LIMITER;
    if (limiter) {
      const { success } = await limiter.limit({ key: principal.id });
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
    }
    return next();
  };
}

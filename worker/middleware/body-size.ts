import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";

const limiters = new WeakMap<GatewayConfig, MiddlewareHandler>();

/**
 * Hono's bodyLimit with MAX_BODY_BYTES from the config: refuses on Content-Length before reading,
 * and stops a streamed body as soon as it passes the limit.
 */
export function bodySize(): MiddlewareHandler<AppEnv> {
  return async function bodySize(c, next) {
    const config = c.get("config");
    let limiter = limiters.get(config);
    if (!limiter) {
      const maxSize = config.limits.maxBodyBytes;
      limiter = bodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError(413, "body_too_large", `The request body exceeds this gateway's limit of ${maxSize} bytes (MAX_BODY_BYTES).`);
        },
      });
      limiters.set(config, limiter);
    }
    return limiter(c, next);
  };
}

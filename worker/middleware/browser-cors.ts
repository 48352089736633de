import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../app-env";
import { isOriginAllowed } from "../auth/origin-guard";
import type { GatewayConfig } from "../config";

/** What a page may read of the gateway's answers. */
const EXPOSED_HEADERS = [
  "X-Cache",
  "X-Cache-Hits",
  "X-Cache-Misses",
  "X-Cache-Breakdown",
  "X-Provider",
  "Server-Timing",
  "Retry-After",
  "X-Request-Id",
];

/**
 * Hono's CORS for ALLOWED_ORIGINS, run only for requests a browser could have sent cross-origin:
 * those with an Origin header, and preflights. Everyone else (SDKs, curl, servers) reads every
 * header anyway, so they get just `Vary: Origin`, which caches need either way. This matters on the
 * hot path: Hono's cors writes its headers on a placeholder response before the route runs, so the
 * route's response is copied twice more to carry them.
 */
export function browserCors(): MiddlewareHandler<AppEnv> {
  const withCors = cors({
    origin: (origin, c) => {
      const config = c.get("config") as GatewayConfig;
      if (isOriginAllowed(config.allowedOrigins, origin)) return origin;
      // The everyday mistake (localhost vs 127.0.0.1, a new port): say so where the operator looks.
      if (c.req.method === "OPTIONS") {
        console.warn(
          JSON.stringify({
            level: "warn",
            request_id: c.get("requestId"),
            message: "preflight from an origin not in ALLOWED_ORIGINS",
            origin,
            allowed_origins: config.allowedOrigins,
          }),
        );
      }
      return null;
    },
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Cache-Control", "X-Request-Id"],
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: 86400,
  });
  return async function browserCors(c, next) {
    if (c.req.header("origin") !== undefined || c.req.method === "OPTIONS") return withCors(c, next);
    c.header("Vary", "Origin");
    return next();
  };
}

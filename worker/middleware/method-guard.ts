import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ApiError } from "../errors";

/**
 * A 405 with `Allow` for a wrong method on a known route, before authentication, so `GET
 * /v1/embeddings` in a browser's address bar says what is wrong instead of asking for a credential.
 */
export function methodGuard(allowed: Readonly<Record<string, string>>): MiddlewareHandler<AppEnv> {
  return async function methodGuard(c, next) {
    const allow = allowed[c.req.path];
    if (allow !== undefined && c.req.method !== "OPTIONS" && !allow.split(", ").includes(c.req.method)) {
      throw new ApiError(405, "method_not_allowed", `${c.req.path} takes ${allow}, not ${c.req.method}.`, { headers: { Allow: allow } });
    }
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/** One JSON line per request, with its request id. Never logs headers or bodies (they carry credentials). */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    await next();
    console.log(
      JSON.stringify({
        level: "info",
        request_id: c.get("requestId"),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        cache: c.res.headers.get("x-cache") ?? undefined,
        principal: c.get("principal")?.id,
        ms: Date.now() - started,
      }),
    );
  };
}

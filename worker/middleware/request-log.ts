import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/** Statuses worth a line even without an upstream call: refusals an operator wants to see, and failures. */
const NOTABLE = (status: number) => status >= 500 || status === 401 || status === 403 || status === 429;

/**
 * One JSON line per request, with its request id; never headers or bodies (they carry credentials).
 * `LOG_REQUESTS=some` (the default) writes the line only for requests that called an upstream
 * (their cost dwarfs the line's) or were notable refusals or failures, so cache hits and plain
 * validation refusals, the hot paths, do no logging work at all; `all` logs every request; `none`
 * none (warnings and errors are always logged).
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    await next();
    const mode = c.get("config")?.logRequests ?? "all";
    if (mode === "none") return;
    const status = c.res.status;
    const provider = c.res.headers.get("x-provider");
    if (mode === "some" && provider === null && !NOTABLE(status)) return;
    console.log(
      JSON.stringify({
        level: "info",
        request_id: c.get("requestId"),
        client_request_id: c.res.headers.get("x-client-request-id") ?? undefined,
        method: c.req.method,
        path: c.req.path,
        status,
        cache: c.res.headers.get("x-cache") ?? undefined,
        provider: provider ?? undefined,
        principal: c.get("principal")?.id,
        ms: Date.now() - started,
      }),
    );
  };
}

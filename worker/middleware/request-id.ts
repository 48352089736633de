import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/** What a client's own id may look like to be echoed: short, and nothing a log or header could misread. */
const CLIENT_ID = /^[\w.:=-]{1,128}$/;

/**
 * Gives every request the gateway's own id (a UUID, in `X-Request-Id` and every log line), so a
 * client cannot choose what stands in the logs or in rerank's `id`, nor make two requests share one.
 * A client's own `X-Request-Id` is echoed back separately, as `X-Client-Request-Id`, and logged
 * beside the gateway's, when it is short and plain.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const id = crypto.randomUUID();
    c.set("requestId", id);
    c.header("X-Request-Id", id);
    const clientId = c.req.header("x-request-id");
    if (clientId !== undefined && CLIENT_ID.test(clientId)) c.header("X-Client-Request-Id", clientId);
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app-env";

/**
 * Hono's secureHeaders, in two sets. Pages and scripts (docs, the client bundle, health, 404s) get
 * the full set; CORP is `cross-origin` so other sites may load the client script. The JSON API under
 * /v1 gets what protects a JSON answer, as OWASP's REST guidance has it: `nosniff` (never sniffed
 * into HTML or script) and HSTS. The rest of the full set governs documents (framing, prefetching,
 * downloads, referrers, opener and agent clusters), which an API answer never is, and each header
 * costs a few microseconds on every cache hit.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const page = secureHeaders({ crossOriginResourcePolicy: "cross-origin" });
  const api = secureHeaders({
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    // The gateway never sets X-Powered-By; deleting it would be one more header call per request.
    removePoweredBy: false,
  });
  return function securityHeaders(c, next) {
    return (c.req.path.startsWith("/v1/") ? api : page)(c, next);
  };
}

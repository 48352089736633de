import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";

/** Whether a browser origin may call the gateway: listed in ALLOWED_ORIGINS, or the list holds "*". */
export function isOriginAllowed(allowed: readonly string[], origin: string): boolean {
  return allowed.includes(origin) || allowed.includes("*");
}

/**
 * Refuses a request whose Origin is not allowed with a visible 403. CORS already keeps browsers
 * from reading such responses; this also stops the request being served (and billed) at all.
 * Requests without an Origin (curl, servers) pass.
 */
export function checkOrigin(config: GatewayConfig, origin: string | undefined, requestUrl: string): void {
  // Browsers send Origin on same-origin POSTs too: the gateway's own pages (playground, docs) may call it.
  if (origin && !isOriginAllowed(config.allowedOrigins, origin) && origin !== new URL(requestUrl).origin) {
    throw new ApiError(403, "origin_not_allowed", `The origin '${origin}' is not allowed to call this gateway (ALLOWED_ORIGINS).`);
  }
}

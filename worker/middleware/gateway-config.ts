import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { gatewayFor } from "../gateway";

let warnedOpen = false;

/** Puts the gateway (built once per isolate) on `c.get("gateway")` and its config on `c.get("config")`. */
export function gatewayConfig(): MiddlewareHandler<AppEnv> {
  return async function gatewayConfig(c, next) {
    const gateway = gatewayFor(c.env);
    const config = gateway.config;
    if (config.auth.mode === "open" && !warnedOpen) {
      warnedOpen = true;
      console.warn(
        "embed-edge: AUTH_MODE=open: anyone who can reach this gateway spends your providers' credit. Use it only for local development and demos.",
      );
    }
    c.set("gateway", gateway);
    c.set("config", config);
    return next();
  };
}

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { configFor } from "../config";

let warnedOpen = false;

/** Puts the parsed config on `c.get("config")` (parsed once per isolate). */
export function gatewayConfig(): MiddlewareHandler<AppEnv> {
  return async function gatewayConfig(c, next) {
    const config = configFor(c.env);
    if (config.auth.mode === "open" && !warnedOpen) {
      warnedOpen = true;
      console.warn(
        "embed-edge: AUTH_MODE=open: anyone who can reach this gateway spends your providers' credit. Use it only for local development and demos.",
      );
    }
    c.set("config", config);
    return next();
  };
}

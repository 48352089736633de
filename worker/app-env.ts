import type { Principal } from "./auth/principal";
import type { GatewayConfig, GatewayEnv } from "./config";
import type { Gateway } from "./gateway";

export type { Principal };

export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    /** Everything built from this isolate's configuration. */
    gateway: Gateway;
    /** `gateway.config`, for the many places that read only settings. */
    config: GatewayConfig;
    requestId: string;
    principal: Principal;
    /** The request body as JSON.parse made it (before the schema's copy), for routes that need its own objects. */
    jsonBody: unknown;
  };
};

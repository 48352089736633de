import type { GatewayConfig, GatewayEnv } from "./config";

/** Who is calling, as established by the auth middleware. */
export interface Principal {
  kind: "token" | "server-key" | "anonymous";
  /** Token `sub`, server-key id or client IP: the rate-limit key. */
  id: string;
  /** Scopes a token grants; server keys and open mode may do everything. */
  scopes: ReadonlySet<string> | "all";
  /** The collections a token is restricted to; absent means all. */
  collections?: ReadonlySet<string>;
  tier?: string;
}

export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    config: GatewayConfig;
    requestId: string;
    principal: Principal;
  };
};

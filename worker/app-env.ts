import type { GatewayConfig, GatewayEnv } from "./config";

/** Who is calling, as established by the auth middleware. */
export interface Principal {
  kind: "token" | "server-key" | "anonymous";
  /** `kid/sub` for tokens, `key:<id>` for server keys, `ip:<address>` in open mode: the rate-limit key. */
  id: string;
  /** The server key's id, for server keys and the key that minted a token. */
  keyId?: string;
  /** Scopes a token grants; server keys and open mode may do everything. */
  scopes: ReadonlySet<string> | "all";
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

import type { GatewayConfig, GatewayEnv } from "./config";

/** Who is calling, as established by the auth middleware. */
export interface Principal {
  kind: "token" | "server-key" | "anonymous";
  /** Token `sub`, server-key id or client IP: the rate-limit key. */
  id: string;
  /** Scopes a token grants; server keys and open mode may do everything. */
  scopes: ReadonlySet<string> | "all";
  tier?: string;
  /** The server key's id: the key itself, or the one that minted the token (its `kid`). Scopes the cache (CACHE_SCOPE=subject). */
  keyId?: string;
}

export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    config: GatewayConfig;
    requestId: string;
    principal: Principal;
    /** The request body as JSON.parse made it (before the schema's copy), for routes that need its own objects. */
    jsonBody: unknown;
  };
};

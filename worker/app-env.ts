import type { TokenBudget } from "./budgets/rules";
import type { GatewayConfig, GatewayEnv } from "./config";
import type { Gateway } from "./gateway";

/** Who is calling, as established by the auth middleware. */
export interface Principal {
  kind: "token" | "server-key" | "anonymous";
  /** `kid/sub` for tokens, `key:<id>` for server keys, `ip:<address>` in open mode: the rate-limit key. */
  id: string;
  /** The server key's id: the key itself, or the one that minted the token (its `kid`). Scopes the cache (CACHE_SCOPE=subject). */
  keyId?: string;
  /** Scopes a token grants; server keys and open mode may do everything. */
  scopes: ReadonlySet<string> | "all";
  /** The collections a token is restricted to; absent means all. */
  collections?: ReadonlySet<string>;
  tier?: string;
  /** A token's own budget (POST /v1/tokens `budget`), on top of the BUDGETS rules. */
  budget?: TokenBudget;
}

export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    /** Everything built from this isolate's configuration. */
    gateway: Gateway;
    /** `gateway.config`, for the many places that read only settings. */
    config: GatewayConfig;
    requestId: string;
    principal: Principal;
  };
};

import type { TokenBudget } from "./budgets/rules";
import type { GatewayConfig, GatewayEnv } from "./config";

/** Who is calling, as established by the auth middleware. */
export interface Principal {
  kind: "token" | "server-key" | "anonymous";
  /** Token `sub`, server-key id or client IP: the rate-limit key. */
  id: string;
  /** Scopes a token grants; server keys and open mode may do everything. */
  scopes: ReadonlySet<string> | "all";
  tier?: string;
  /** A token's own budget (POST /v1/tokens `budget`), on top of the BUDGETS rules. */
  budget?: TokenBudget;
}

export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    config: GatewayConfig;
    requestId: string;
    principal: Principal;
  };
};

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { authenticate, checkScope } from "../auth/authenticate";
import { checkOrigin } from "../auth/origin-guard";
import { checkRateLimit } from "../auth/rate-limit";
import { limitBody } from "./body-size";
import { checkMethod } from "./method-guard";

/** A route as `createRoute` defines it: its method and path are all the rules need. */
interface RouteDefinition {
  method: string;
  path: string;
}

/**
 * The rules for a list of route definitions: each path's methods as `Allow` writes them (a GET also
 * answers HEAD), and the token scope a route needs, if any.
 *
 * @example
 * access(accessRules([{ route: embeddingsRoute, scope: "embed" }, { route: modelsRoute }]))
 */
export function accessRules(routes: ReadonlyArray<{ route: RouteDefinition; scope?: string }>): AccessRules {
  const methods: Record<string, string> = {};
  const scopes: Record<string, string> = {};
  for (const { route, scope } of routes) {
    const method = route.method.toUpperCase();
    methods[route.path] = method === "GET" ? "GET, HEAD" : method;
    if (scope !== undefined) scopes[route.path] = scope;
  }
  return { methods, scopes };
}

export interface AccessRules {
  /** Each route's methods, as `Allow` writes them. */
  methods: Readonly<Record<string, string>>;
  /** The token scope each route needs. */
  scopes: Readonly<Record<string, string>>;
}

/**
 * Everything decided about an API request before its route runs, cheapest refusal first: the
 * method (405), the Origin (403), the credential (401, 403), the client's rate (429), the token's
 * scope (403) and the body's size (413). One middleware rather than six, and nothing awaited that
 * has nothing to wait for (open mode, an unbound rate limiter, a declared Content-Length): a cache
 * hit costs the gateway under 0.2 ms of CPU, and promises and async layers are a share of that. The
 * checks themselves stay in their own modules.
 */
export function access(rules: AccessRules): MiddlewareHandler<AppEnv> {
  return async function access(c, next) {
    const gateway = c.get("gateway");
    const config = gateway.config;
    const path = c.req.path;
    checkMethod(rules.methods, path, c.req.method);
    checkOrigin(config, c.req.header("origin"), c.req.url);
    const authenticated = authenticate(config.auth, gateway, c.req);
    const principal = authenticated instanceof Promise ? await authenticated : authenticated;
    c.set("principal", principal);
    const limited = checkRateLimit(c.env, principal, config.auth.rateLimit, c.get("requestId"));
    if (limited) await limited;
    const scope = rules.scopes[path];
    if (scope !== undefined) checkScope(principal, scope);
    const streamed = limitBody(config.limits.maxBodyBytes, gateway.streamedBodyLimit, c.req);
    return streamed ? streamed(c, next) : next();
  };
}

import type { Principal } from "../app-env";
import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";
import { matchServerKey } from "./server-keys";
import { type TokenClaims, verifyToken } from "./tokens";

const unauthorized = (code: string, message: string) =>
  new ApiError(401, code, message, { headers: { "WWW-Authenticate": 'Bearer realm="embed-edge"' } });

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** The request headers authentication reads. */
export interface RequestHeaders {
  header(name: string): string | undefined;
}

/**
 * Who is calling, according to AUTH_MODE:
 * - open: everyone, keyed by client IP (synchronous: nothing to verify);
 * - key: a server key from GATEWAY_KEYS;
 * - token: a server key, or a signed short-lived token bound to the request's Origin.
 */
export function authenticate(auth: GatewayConfig["auth"], req: RequestHeaders): Principal | Promise<Principal> {
  if (auth.mode === "open") return { kind: "anonymous", id: `ip:${req.header("cf-connecting-ip") ?? "unknown"}`, scopes: "all" };
  return verifyCredential(auth, req);
}

async function verifyCredential(auth: GatewayConfig["auth"], req: RequestHeaders): Promise<Principal> {
  const presented = bearerToken(req.header("authorization"));
  if (!presented) throw unauthorized("missing_credential", "Send a credential as 'Authorization: Bearer <key or token>'.");

  const serverKey = await matchServerKey(auth.serverKeys, presented);
  if (serverKey) return { kind: "server-key", id: `key:${serverKey.id}`, scopes: "all" };
  if (auth.mode !== "token") throw unauthorized("invalid_credential", "The server key is not valid.");

  let claims: TokenClaims;
  try {
    claims = await verifyToken(auth.tokenSecret, presented);
  } catch (err) {
    const expired = (err as Error)?.name === "JwtTokenExpired";
    throw unauthorized(
      expired ? "token_expired" : "invalid_token",
      expired ? "The token has expired; get a fresh one." : "The credential is neither a server key nor a valid token.",
    );
  }
  if (claims.exp - (claims.iat ?? claims.exp) > auth.tokenMaxTtlSeconds + 60) {
    throw unauthorized("invalid_token", `The token lives longer than this gateway allows (${auth.tokenMaxTtlSeconds} s).`);
  }
  if (claims.origin !== undefined && claims.origin !== req.header("origin")) {
    throw new ApiError(403, "token_origin_mismatch", "This token was issued for another origin.");
  }
  return {
    kind: "token",
    id: `sub:${claims.sub}`,
    scopes: Array.isArray(claims.scopes) ? new Set(claims.scopes) : "all",
    ...(Array.isArray(claims.collections) ? { collections: new Set(claims.collections) } : {}),
    tier: claims.tier,
  };
}

/** Refuses a principal whose token does not grant `scope`. */
export function checkScope(principal: Principal, scope: string): void {
  if (principal.scopes !== "all" && !principal.scopes.has(scope)) {
    throw new ApiError(403, "missing_scope", `This token does not grant the '${scope}' scope.`);
  }
}

import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";
import { clientKey } from "./client-address";
import type { Principal } from "./principal";
import { type KeyDigests, matchServerKey } from "./server-keys";
import { TokenClaimError, type TokenClaims, type VerifiedTokens, verifyToken } from "./tokens";

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
 * - open: everyone, keyed by client IP, IPv6 by /64 (synchronous: nothing to verify);
 * - key: a server key from GATEWAY_KEYS;
 * - token: a server key, or a signed short-lived token bound to the request's Origin.
 */
/** What a configuration keeps for checking credentials: its keys' digests and the tokens it verified. */
export interface CredentialCache {
  keyDigests(): Promise<KeyDigests[]>;
  verifiedTokens: VerifiedTokens;
}

export function authenticate(auth: GatewayConfig["auth"], known: CredentialCache, req: RequestHeaders): Principal | Promise<Principal> {
  if (auth.mode === "open") return { kind: "anonymous", id: clientKey(req.header("cf-connecting-ip")), scopes: "all" };
  return verifyCredential(auth, known, req);
}

async function verifyCredential(auth: GatewayConfig["auth"], known: CredentialCache, req: RequestHeaders): Promise<Principal> {
  const presented = bearerToken(req.header("authorization"));
  if (!presented) throw unauthorized("missing_credential", "Send a credential as 'Authorization: Bearer <key or token>'.");

  const serverKey = await matchServerKey(auth.serverKeys, () => known.keyDigests(), presented);
  if (serverKey) return { kind: "server-key", id: `key:${serverKey.id}`, keyId: serverKey.id, scopes: "all" };
  if (auth.mode !== "token") throw unauthorized("invalid_credential", "The server key is not valid.");

  let claims: TokenClaims;
  try {
    claims = await verifyToken(auth.tokenSecret, presented, undefined, known.verifiedTokens);
  } catch (err) {
    if ((err as Error)?.name === "JwtTokenExpired") throw unauthorized("token_expired", "The token has expired; get a fresh one.");
    if (err instanceof TokenClaimError) throw unauthorized("invalid_token", `The token ${err.reason}; get a fresh one.`);
    throw unauthorized("invalid_token", "The credential is neither a server key nor a valid token.");
  }
  if (claims.exp - claims.iat > auth.tokenMaxTtlSeconds) {
    throw unauthorized("invalid_token", `The token lives longer than this gateway allows (${auth.tokenMaxTtlSeconds} s).`);
  }
  // The key that minted the token must still be a key: removing it from GATEWAY_KEYS revokes its tokens.
  if (!auth.serverKeys.some((key) => key.id === claims.kid)) {
    throw unauthorized("token_revoked", `The key that minted this token ('${claims.kid}') is no longer in GATEWAY_KEYS; get a fresh one.`);
  }
  if (claims.origin !== undefined && claims.origin !== req.header("origin")) {
    throw new ApiError(403, "token_origin_mismatch", "This token was issued for another origin.");
  }
  return {
    kind: "token",
    // Per minting key and sub: one backend's tokens cannot spend another's limits by reusing its subs.
    id: `${claims.kid}/${claims.sub}`,
    keyId: claims.kid,
    scopes: Array.isArray(claims.scopes) ? new Set(claims.scopes) : "all",
    ...(Array.isArray(claims.collections) ? { collections: new Set(claims.collections) } : {}),
    tier: claims.tier,
    budget: claims.budget,
  };
}

/** Refuses a principal whose token does not grant `scope`. */
export function checkScope(principal: Principal, scope: string): void {
  if (principal.scopes !== "all" && !principal.scopes.has(scope)) {
    throw new ApiError(403, "missing_scope", `This token does not grant the '${scope}' scope.`);
  }
}

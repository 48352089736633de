import { sign, verify } from "hono/jwt";

export const SCOPES = ["embed", "rerank", "collections:read", "collections:write"] as const;
export type Scope = (typeof SCOPES)[number];

/** The claims embed-edge puts in a browser token. */
export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  /** The one browser origin this token may be used from. */
  origin?: string;
  scopes?: Scope[];
  /** The only collections this token may reach (all when absent). */
  collections?: string[];
  /** Rate tier: selects RATE_LIMITER_HIGH when "high". */
  tier?: string;
}

export interface MintRequest {
  sub: string;
  ttlSeconds: number;
  origin?: string;
  scopes?: Scope[];
  collections?: string[];
  tier?: string;
}

/** Signs an HS256 token; `nowSeconds` is injectable for tests. */
export async function mintToken(
  secret: string,
  request: MintRequest,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ token: string; expiresAt: number }> {
  const claims: TokenClaims = { sub: request.sub, iat: nowSeconds, exp: nowSeconds + request.ttlSeconds };
  if (request.origin) claims.origin = request.origin;
  if (request.scopes) claims.scopes = request.scopes;
  if (request.collections) claims.collections = request.collections;
  if (request.tier) claims.tier = request.tier;
  return { token: await sign({ ...claims }, secret, "HS256"), expiresAt: claims.exp };
}

/** Tokens whose signature this isolate has checked, by secret: a browser sends the same token until it renews it. */
const verifiedBySecret = new Map<string, Map<string, TokenClaims>>();
/** Per secret; the oldest entry makes room. About 1,000 browsers' tokens, a few hundred KB. */
const MAX_VERIFIED_TOKENS = 1024;

/** The error Hono's `verify` throws for an expired token, which `authenticate` turns into `token_expired`. */
function expired(): Error {
  const err = new Error("token expired");
  err.name = "JwtTokenExpired";
  return err;
}

/**
 * Verifies signature, algorithm and expiry; throws on any failure. A token already verified in this
 * isolate skips the HMAC (an imported key and a signature check on every request otherwise) but not
 * the expiry check: the same string under the same secret always verifies the same way, and only
 * time changes the answer. `nowSeconds` is injectable for tests.
 */
export async function verifyToken(secret: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<TokenClaims> {
  let verified = verifiedBySecret.get(secret);
  if (!verified) {
    verified = new Map();
    verifiedBySecret.set(secret, verified);
  }
  const known = verified.get(token);
  if (known) {
    if (known.exp <= nowSeconds) {
      verified.delete(token);
      throw expired();
    }
    return known;
  }
  const payload = await verify(token, secret, "HS256");
  if (typeof payload.sub !== "string" || typeof payload.exp !== "number") throw new Error("token lacks sub or exp");
  const claims = payload as unknown as TokenClaims;
  if (verified.size >= MAX_VERIFIED_TOKENS) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.set(token, claims);
  return claims;
}

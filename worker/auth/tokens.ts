import { sign, verify } from "hono/jwt";
import type { TokenBudget } from "../config/budget-rules";

export const SCOPES = ["embed", "rerank", "collections:read", "collections:write"] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The issuer and audience of every token: the gateway's own name, so an HS256 JWT made for another
 * purpose under the same secret (a session cookie, another service's token) is not a gateway token.
 */
export const TOKEN_ISSUER = "embed-edge";
export const TOKEN_AUDIENCE = "embed-edge";

/** The claims embed-edge puts in a browser token. */
export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  /** The id of the server key that minted the token: removing that key from GATEWAY_KEYS revokes it. */
  kid: string;
  /** The one browser origin this token may be used from. */
  origin?: string;
  scopes?: Scope[];
  /** The only collections this token may reach (all when absent). */
  collections?: string[];
  /** Rate tier: selects RATE_LIMITER_HIGH when "high". */
  tier?: string;
  /** Spending bound of the token's subject, on top of BUDGETS. */
  budget?: TokenBudget;
}

export interface MintRequest {
  sub: string;
  /** The minting server key's id, the token's `kid`. */
  keyId: string;
  ttlSeconds: number;
  origin?: string;
  scopes?: Scope[];
  collections?: string[];
  tier?: string;
  budget?: TokenBudget;
}

/** Signs an HS256 token; `nowSeconds` is injectable for tests. */
export async function mintToken(
  secret: string,
  request: MintRequest,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ token: string; expiresAt: number }> {
  const claims: TokenClaims = {
    sub: request.sub,
    iat: nowSeconds,
    exp: nowSeconds + request.ttlSeconds,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    kid: request.keyId,
  };
  if (request.origin) claims.origin = request.origin;
  if (request.scopes) claims.scopes = request.scopes;
  if (request.collections) claims.collections = request.collections;
  if (request.tier) claims.tier = request.tier;
  if (request.budget) claims.budget = request.budget;
  return { token: await sign({ ...claims }, secret, "HS256"), expiresAt: claims.exp };
}

/** Tokens whose signature was checked, kept per configuration: a browser sends the same token until it renews it. */
export type VerifiedTokens = Map<string, TokenClaims>;
/** The oldest entry makes room. About 1,000 browsers' tokens, a few hundred KB. */
const MAX_VERIFIED_TOKENS = 1024;

/** The error Hono's `verify` throws for an expired token, which `authenticate` turns into `token_expired`. */
function expired(): Error {
  const err = new Error("token expired");
  err.name = "JwtTokenExpired";
  return err;
}

/** A genuine signature over claims the gateway does not accept; `reason` says which, for the 401. */
export class TokenClaimError extends Error {
  constructor(readonly reason: string) {
    super(`token ${reason}`);
    this.name = "TokenClaimError";
  }
}

/** The claims of a verified payload, or a TokenClaimError naming the first that is missing or wrong. */
function checkClaims(payload: Record<string, unknown>): TokenClaims {
  for (const name of ["sub", "iss", "aud", "kid"] as const) {
    if (typeof payload[name] !== "string" || payload[name] === "") throw new TokenClaimError(`lacks the '${name}' claim`);
  }
  for (const name of ["iat", "exp"] as const) {
    if (typeof payload[name] !== "number" || !Number.isFinite(payload[name])) throw new TokenClaimError(`lacks the '${name}' claim`);
  }
  if (payload.iss !== TOKEN_ISSUER) throw new TokenClaimError(`was not issued by ${TOKEN_ISSUER} ('iss')`);
  if (payload.aud !== TOKEN_AUDIENCE) throw new TokenClaimError(`is meant for another audience ('aud')`);
  return payload as unknown as TokenClaims;
}

/**
 * Verifies signature, algorithm, expiry and the claims every token carries (`sub`, `iat`, `exp`,
 * `iss`, `aud`, `kid`); throws on any failure. A token already verified in this
 * isolate skips the HMAC (an imported key and a signature check on every request otherwise) but not
 * the expiry check: the same string under the same secret always verifies the same way, and only
 * time changes the answer. `verified` belongs to one secret (the gateway keeps one per
 * configuration); `nowSeconds` is injectable for tests.
 */
export async function verifyToken(
  secret: string,
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  verified: VerifiedTokens = new Map(),
): Promise<TokenClaims> {
  const known = verified.get(token);
  if (known) {
    if (known.exp <= nowSeconds) {
      verified.delete(token);
      throw expired();
    }
    return known;
  }
  const claims = checkClaims(await verify(token, secret, "HS256"));
  if (verified.size >= MAX_VERIFIED_TOKENS) {
    const oldest = verified.keys().next();
    if (!oldest.done) verified.delete(oldest.value);
  }
  verified.set(token, claims);
  return claims;
}

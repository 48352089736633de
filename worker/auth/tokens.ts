import { sign, verify } from "hono/jwt";

export const SCOPES = ["embed", "rerank"] as const;
export type Scope = (typeof SCOPES)[number];

/** The claims embed-edge puts in a browser token. */
export interface TokenClaims {
  sub: string;
  iat: number;
  exp: number;
  /** The one browser origin this token may be used from. */
  origin?: string;
  scopes?: Scope[];
  /** Rate tier: selects RATE_LIMITER_HIGH when "high". */
  tier?: string;
}

export interface MintRequest {
  sub: string;
  ttlSeconds: number;
  origin?: string;
  scopes?: Scope[];
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
  if (request.tier) claims.tier = request.tier;
  return { token: await sign({ ...claims }, secret, "HS256"), expiresAt: claims.exp };
}

/** Verifies signature, algorithm and expiry; throws on any failure. */
export async function verifyToken(secret: string, token: string): Promise<TokenClaims> {
  const payload = await verify(token, secret, "HS256");
  if (typeof payload.sub !== "string" || typeof payload.exp !== "number") throw new Error("token lacks sub or exp");
  return payload as unknown as TokenClaims;
}

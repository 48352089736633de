import { sign } from "hono/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import { TEST_SERVER_KEY_1, TEST_SERVER_KEY_2, TEST_TOKEN_SECRET } from "../setup/test-keys";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";
import { gateway } from "./gateway";

const SECRET = TEST_TOKEN_SECRET;
const ORIGIN = "https://app.example.com";
const EMBED = { model: "BAAI/bge-large-en-v1.5", input: "access test" };
const RERANK = { model: "Salesforce/Llama-Rank-v1", query: "q", documents: ["a"] };

const tokenGateway = (vars: Record<string, string> = {}) => gateway({ AUTH_MODE: "token", ...vars });
const bearer = (credential: string, origin?: string) => ({ authorization: `Bearer ${credential}`, ...(origin ? { origin } : {}) });

async function expectRefused(gw: ReturnType<typeof gateway>, res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(JSON.parse(text).error.code).toBe(code);
  expect(text).not.toContain(STAND_IN_API_KEY);
  const stats = await gw.stats();
  expect(stats.calls.embeddings + stats.calls.rerank).toBe(0);
}

describe("token mode refusals (no upstream call, JSON error)", () => {
  it("Should refuse a request without a credential with 401", async () => {
    const gw = tokenGateway();
    const res = await gw.post("/v1/embeddings", EMBED);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    await expectRefused(gw, res, 401, "missing_credential");
  });

  it("Should refuse an expired token with 401 token_expired", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken(
      SECRET,
      { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN },
      Math.floor(Date.now() / 1000) - 3600,
    );
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN)), 401, "token_expired");
  });

  it("Should refuse a token signed with another secret", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken("another-secret-another-secret-another", { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN });
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN)), 401, "invalid_token");
  });

  it("Should refuse a token whose lifetime exceeds TOKEN_MAX_TTL_SECONDS", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 7 * 24 * 3600, origin: ORIGIN });
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN)), 401, "invalid_token");
  });

  it("Should refuse a token issued for another origin", async () => {
    const gw = tokenGateway({ ALLOWED_ORIGINS: `${ORIGIN},https://other.example.com` });
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN });
    await expectRefused(
      gw,
      await gw.post("/v1/embeddings", EMBED, bearer(token, "https://other.example.com")),
      403,
      "token_origin_mismatch",
    );
  });

  it("Should refuse a token without the needed scope", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN, scopes: ["embed"] });
    await expectRefused(gw, await gw.post("/v1/rerank", RERANK, bearer(token, ORIGIN)), 403, "missing_scope");
  });

  it("Should refuse a disallowed Origin with 403 even with a valid server key", async () => {
    const gw = tokenGateway();
    await expectRefused(
      gw,
      await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1, "https://evil.example")),
      403,
      "origin_not_allowed",
    );
  });

  it("Should refuse a wrong server key in key mode", async () => {
    const gw = gateway({ AUTH_MODE: "key" });
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer("test-server-key-x")), 401, "invalid_credential");
  });

  it("Should refuse tokens in key mode", async () => {
    const gw = gateway({ AUTH_MODE: "key" });
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60 });
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer(token)), 401, "invalid_credential");
  });

  it("Should refuse an oversized body after auth, before reading it", async () => {
    const gw = tokenGateway({ MAX_BODY_BYTES: "4096" });
    const res = await gw.post("/v1/embeddings", { ...EMBED, input: "z".repeat(10_000) }, bearer(TEST_SERVER_KEY_1));
    await expectRefused(gw, res, 413, "body_too_large");
  });

  it("Should refuse too many inputs naming MAX_INPUTS", async () => {
    const gw = tokenGateway({ MAX_INPUTS: "3" });
    const res = await gw.post("/v1/embeddings", { ...EMBED, input: ["a", "b", "c", "d"] }, bearer(TEST_SERVER_KEY_1));
    const text = await res.clone().text();
    expect(text).toContain("MAX_INPUTS");
    await expectRefused(gw, res, 400, "limit_exceeded");
  });
});

describe("accepted credentials", () => {
  it("Should serve a valid token from its origin, with CORS headers for that origin", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u-ok", ttlSeconds: 600, origin: ORIGIN, scopes: ["embed", "rerank"] });
    const res = await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN));
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Cache");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("Should serve server keys in token and key modes, and nothing in open mode", async () => {
    for (const mode of ["token", "key"]) {
      const gw = gateway({ AUTH_MODE: mode });
      expect((await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_2))).status).toBe(200);
    }
    const open = gateway({ AUTH_MODE: "open" });
    expect((await open.post("/v1/embeddings", EMBED)).status).toBe(200);
  });

  it("Should send CORS headers only to browsers, and Vary: Origin to everyone", async () => {
    const gw = tokenGateway();
    const server = await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1));
    expect(server.status).toBe(200);
    expect(server.headers.get("vary")).toBe("Origin");
    expect(server.headers.get("access-control-allow-origin")).toBeNull();
    expect(server.headers.get("access-control-expose-headers")).toBeNull();
    const browser = await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1, ORIGIN));
    expect(browser.headers.get("vary")).toBe("Origin");
    expect(browser.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(browser.headers.get("access-control-expose-headers")).toContain("Server-Timing");
    expect(browser.headers.get("timing-allow-origin")).toBe(ORIGIN);
    expect(server.headers.get("timing-allow-origin")).toBeNull();
    const stranger = await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1, "https://evil.example"));
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    expect(stranger.headers.get("timing-allow-origin")).toBeNull();
    expect(stranger.headers.get("vary")).toBe("Origin");
    // A preflight without Origin (a probe, not a browser) is still answered by CORS, not by auth.
    const probe = await gw.request("/v1/embeddings", { method: "OPTIONS" });
    expect(probe.status).toBe(204);
  });

  it("Should give API answers nosniff and HSTS, and pages the full set of security headers", async () => {
    const gw = gateway();
    for (const res of [await gw.post("/v1/embeddings", EMBED), await gw.post("/v1/embeddings", { model: EMBED.model })]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
      // Headers that govern documents are left off a JSON answer.
      expect(res.headers.get("x-frame-options")).toBeNull();
      expect(res.headers.get("x-xss-protection")).toBeNull();
    }
    for (const path of ["/docs", "/health", "/nowhere"]) {
      const page = await gw.request(path);
      expect(page.headers.get("x-frame-options"), path).toBe("SAMEORIGIN");
      expect(page.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(page.headers.get("cross-origin-resource-policy"), path).toBe("cross-origin");
    }
  });

  it("Should answer a CORS preflight for an allowed origin and withhold it from others", async () => {
    const gw = tokenGateway();
    const preflight = (origin: string) =>
      gw.request("/v1/embeddings", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(ok.headers.get("access-control-max-age")).toBe("86400");
    const bad = await preflight("https://evil.example");
    expect(bad.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("minting tokens", () => {
  it("Should mint a token with a server key that then works from its origin", async () => {
    const gw = tokenGateway();
    const res = await gw.post(
      "/v1/tokens",
      { sub: "user-42", origin: ORIGIN, ttl_seconds: 99_999, scopes: ["embed"] },
      bearer(TEST_SERVER_KEY_1),
    );
    expect(res.status).toBe(200);
    const minted = (await res.json()) as any;
    expect(minted.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    expect((await gw.post("/v1/embeddings", EMBED, bearer(minted.token, ORIGIN))).status).toBe(200);
  });

  it("Should not let a token mint tokens, nor mint for an origin that is not allowed", async () => {
    const gw = tokenGateway();
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN });
    await expectRefused(gw, await gw.post("/v1/tokens", { sub: "x", any_origin: true }, bearer(token, ORIGIN)), 403, "server_key_required");
    const res = await gw.post("/v1/tokens", { sub: "x", origin: "https://evil.example" }, bearer(TEST_SERVER_KEY_1));
    expect(res.status).toBe(400);
  });
});

describe("token claims: what a token must carry", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const complete = () => ({ sub: "u1", iat: now(), exp: now() + 600, iss: "embed-edge", aud: "embed-edge", kid: "ci", origin: ORIGIN });

  it("Should refuse a token signed with the gateway's secret that lacks iat, iss, aud or kid, naming the claim", async () => {
    const gw = tokenGateway();
    for (const claim of ["iat", "iss", "aud", "kid"]) {
      const { [claim as "iat"]: _, ...rest } = complete();
      const res = await gw.post("/v1/embeddings", EMBED, bearer(await sign(rest, SECRET, "HS256"), ORIGIN));
      const text = await res.clone().text();
      expect(text, claim).toContain(`'${claim}'`);
      await expectRefused(gw, res, 401, "invalid_token");
    }
  });

  it("Should refuse a JWT made for another issuer or audience under the same secret", async () => {
    const gw = tokenGateway();
    for (const [claim, value] of [
      ["iss", "another-service"],
      ["aud", "another-app"],
    ]) {
      const token = await sign({ ...complete(), [claim]: value }, SECRET, "HS256");
      const res = await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN));
      expect(await res.clone().text()).toContain(`'${claim}'`);
      await expectRefused(gw, res, 401, "invalid_token");
    }
    expect((await gw.post("/v1/embeddings", EMBED, bearer(await sign(complete(), SECRET, "HS256"), ORIGIN))).status).toBe(200);
  });

  it("Should refuse a token whose lifetime exceeds TOKEN_MAX_TTL_SECONDS by a second", async () => {
    const gw = tokenGateway({ TOKEN_MAX_TTL_SECONDS: "600" });
    const token = await sign({ ...complete(), exp: now() + 601 }, SECRET, "HS256");
    await expectRefused(gw, await gw.post("/v1/embeddings", EMBED, bearer(token, ORIGIN)), 401, "invalid_token");
  });

  it("Should refuse the tokens of a server key removed from GATEWAY_KEYS, and keep serving the other key's", async () => {
    const { token: fromCi } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 600, origin: ORIGIN });
    const { token: fromBackend } = await mintToken(SECRET, { keyId: "backend", sub: "u1", ttlSeconds: 600, origin: ORIGIN });
    const before = tokenGateway();
    expect((await before.post("/v1/embeddings", EMBED, bearer(fromCi, ORIGIN))).status).toBe(200);
    const after = tokenGateway({ GATEWAY_KEYS: `backend:${TEST_SERVER_KEY_2}` });
    const refused = await after.post("/v1/embeddings", EMBED, bearer(fromCi, ORIGIN));
    expect(await refused.clone().text()).toContain("GATEWAY_KEYS");
    await expectRefused(after, refused, 401, "token_revoked");
    expect((await after.post("/v1/embeddings", EMBED, bearer(fromBackend, ORIGIN))).status).toBe(200);
  });

  it("Should keep rate limits apart per minting key: another backend's tokens with the same sub cannot drain them", async () => {
    const gw = tokenGateway();
    const sub = `victim-${gw.tenant}`;
    const { token: attacker } = await mintToken(SECRET, { keyId: "backend", sub, ttlSeconds: 600, origin: ORIGIN });
    const { token: victim } = await mintToken(SECRET, { keyId: "ci", sub, ttlSeconds: 600, origin: ORIGIN });
    let limited = false;
    for (let i = 0; i < 200 && !limited; i++) {
      limited = (await gw.request("/v1/models", { headers: bearer(attacker, ORIGIN) })).status === 429;
    }
    expect(limited, "the limiter never refused").toBe(true);
    expect((await gw.request("/v1/models", { headers: bearer(victim, ORIGIN) })).status).toBe(200);
  });

  it("Should mint tokens that carry iat, iss, aud and the minting key's id", async () => {
    const gw = tokenGateway();
    const res = await gw.post("/v1/tokens", { sub: "user-7", origin: ORIGIN }, bearer(TEST_SERVER_KEY_2));
    const { token } = (await res.json()) as { token: string };
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims).toMatchObject({ sub: "user-7", iss: "embed-edge", aud: "embed-edge", kid: "backend", origin: ORIGIN });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it("Should mint a token for every allowed origin only when asked with any_origin: true", async () => {
    const other = "https://other.example.com";
    const gw = tokenGateway({ ALLOWED_ORIGINS: `${ORIGIN},${other}` });
    const silent = await gw.post("/v1/tokens", { sub: "x" }, bearer(TEST_SERVER_KEY_1));
    expect(silent.status).toBe(400);
    expect(((await silent.json()) as any).error).toMatchObject({ param: "origin", message: expect.stringContaining("any_origin") });
    const both = await gw.post("/v1/tokens", { sub: "x", origin: ORIGIN, any_origin: true }, bearer(TEST_SERVER_KEY_1));
    expect(((await both.json()) as any).error.param).toBe("any_origin");
    const asked = await gw.post("/v1/tokens", { sub: "x", any_origin: true }, bearer(TEST_SERVER_KEY_1));
    const { token } = (await asked.json()) as { token: string };
    for (const origin of [ORIGIN, other]) expect((await gw.post("/v1/embeddings", EMBED, bearer(token, origin))).status).toBe(200);
  });
});

describe("rate limits", () => {
  afterEach(() => vi.restoreAllMocks());

  it("Should refuse to serve outside open mode when the RATE_LIMITER binding is missing, unless RATE_LIMIT=off", async () => {
    for (const mode of ["token", "key"]) {
      const unlimited = gateway({ AUTH_MODE: mode, RATE_LIMITER: undefined } as unknown as Record<string, string>);
      const res = await unlimited.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1));
      expect(res.status).toBe(500);
      const error = ((await res.json()) as any).error;
      expect(error.code).toBe("gateway_misconfigured");
      expect(error.message).toContain("RATE_LIMITER");
      const off = gateway({ AUTH_MODE: mode, RATE_LIMIT: "off", RATE_LIMITER: undefined } as unknown as Record<string, string>);
      expect((await off.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1))).status).toBe(200);
    }
  });

  it("Should answer 503 with Retry-After when the limiter fails, logging it once a minute rather than per request", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    // The one binding stand-in here: a local rate limiter cannot be made to fail.
    const throwing = {
      limit: () => {
        throw new Error("limiter exploded");
      },
    };
    const rejecting = { limit: () => Promise.reject(new Error("limiter unreachable")) };
    for (const limiter of [throwing, rejecting]) {
      const gw = tokenGateway({ RATE_LIMITER: limiter } as unknown as Record<string, string>);
      for (let i = 0; i < 3; i++) {
        const res = await gw.post("/v1/embeddings", EMBED, bearer(TEST_SERVER_KEY_1));
        expect(res.headers.get("retry-after")).toBe("10");
        await expectRefused(gw, res, 503, "rate_limiter_unavailable");
      }
    }
    expect(errors.mock.calls.filter((call) => String(call[0]).includes("rate limiter")).length).toBe(1);
  });

  it("Should refuse a client over its rate limit with 429 JSON and retry-after, without calling upstream", async () => {
    const gw = gateway({ AUTH_MODE: "open" });
    let refused: Response | undefined;
    const statuses: number[] = [];
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await gw.request("/v1/models", { headers: { "cf-connecting-ip": "203.0.113.77" } });
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused, "the limiter never refused").toBeDefined();
    expect(refused!.headers.get("retry-after")).toBe("60");
    expect(((await refused!.json()) as any).error.code).toBe("rate_limit_exceeded");
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(100);
    // Other clients are unaffected.
    expect((await gw.request("/v1/models", { headers: { "cf-connecting-ip": "203.0.113.78" } })).status).toBe(200);
  });

  it("Should key open-mode IPv6 clients by their /64, so rotating addresses within it buys no extra requests", async () => {
    const gw = gateway({ AUTH_MODE: "open" });
    const network = `2001:db8:${(Date.now() & 0xffff).toString(16)}:77`;
    let limited = false;
    for (let i = 1; i <= 200 && !limited; i++) {
      const res = await gw.request("/v1/models", { headers: { "cf-connecting-ip": `${network}:${i.toString(16)}::1` } });
      limited = res.status === 429;
    }
    expect(limited, "rotating addresses within one /64 were never limited").toBe(true);
    expect((await gw.request("/v1/models", { headers: { "cf-connecting-ip": `${network.slice(0, -2)}78::1` } })).status).toBe(200);
  });
});

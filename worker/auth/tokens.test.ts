import { describe, expect, it } from "vitest";
import { mintToken, verifyToken } from "./tokens";

const SECRET = "unit-secret-0123456789abcdef0123456789abcdef";

describe("verifyToken", () => {
  it("Should refuse a token it verified before once the token has expired", async () => {
    const now = Math.floor(Date.now() / 1000);
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60 }, now);
    // The gateway keeps one cache of verified tokens per configuration (and so per secret).
    const verified = new Map();
    expect((await verifyToken(SECRET, token, now, verified)).sub).toBe("u1");
    expect((await verifyToken(SECRET, token, now + 59, verified)).sub).toBe("u1");
    await expect(verifyToken(SECRET, token, now + 60, verified)).rejects.toMatchObject({ name: "JwtTokenExpired" });
  });

  it("Should not let a token verified under one secret pass under another", async () => {
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u2", ttlSeconds: 60 });
    await verifyToken(SECRET, token);
    await expect(verifyToken(`${SECRET}-rotated`, token)).rejects.toThrow();
  });

  it("Should refuse a token whose claims were altered after a genuine one was verified", async () => {
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u3", ttlSeconds: 60, scopes: ["embed"] });
    await verifyToken(SECRET, token);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    const widened = btoa(JSON.stringify({ ...claims, scopes: ["embed", "rerank"] }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    await expect(verifyToken(SECRET, `${header}.${widened}.${signature}`)).rejects.toThrow();
  });
});

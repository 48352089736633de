import { afterEach, describe, expect, it, vi } from "vitest";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { gateway } from "./gateway";

// GATEWAY_KEYS in the test env: keys `ci` and `backend` (test/setup/test-keys.ts).
const tokenMode = { AUTH_MODE: "token" };

describe("first contact: what a newcomer hits", () => {
  afterEach(() => vi.restoreAllMocks());

  it("Should answer GET on a POST route with 405 and Allow, before asking for a credential", async () => {
    const gw = gateway(tokenMode);
    const res = await gw.request("/v1/embeddings");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(((await res.json()) as any).error.code).toBe("method_not_allowed");
  });

  it("Should accept a server key as the bare secret or as the whole id:secret entry", async () => {
    const gw = gateway(tokenMode);
    for (const credential of [TEST_SERVER_KEY_1, `ci:${TEST_SERVER_KEY_1}`]) {
      const res = await gw.request("/v1/models", { headers: { authorization: `Bearer ${credential}` } });
      expect(res.status).toBe(200);
    }
    const wrongId = await gw.request("/v1/models", { headers: { authorization: `Bearer backend:${TEST_SERVER_KEY_1}` } });
    expect(wrongId.status).toBe(401);
  });

  it("Should log a warning naming the origin and ALLOWED_ORIGINS when a preflight comes from a disallowed origin", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const gw = gateway(tokenMode);
    await gw.request("/v1/embeddings", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
    });
    const lines = warn.mock.calls.map((call) => String(call[0]));
    const line = lines.find((l) => l.includes("ALLOWED_ORIGINS"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ origin: "http://localhost:5173", allowed_origins: ["https://app.example.com"] });
  });

  it("Should not log an OPTIONS without Origin, and log a refused origin's preflights once, not once each", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const gw = gateway(tokenMode);
    for (let i = 0; i < 20; i++) expect((await gw.request("/v1/embeddings", { method: "OPTIONS" })).status).toBe(204);
    expect(warn).not.toHaveBeenCalled();
    for (let i = 0; i < 20; i++) {
      await gw.request("/v1/embeddings", {
        method: "OPTIONS",
        headers: { origin: "https://flood.example", "access-control-request-method": "POST" },
      });
    }
    expect(warn.mock.calls.filter((call) => String(call[0]).includes("https://flood.example"))).toHaveLength(1);
  });

  it("Should list models as a bare array for Together's SDK and as {object, data} for everyone else", async () => {
    const gw = gateway();
    const together = await (await gw.request("/v1/models", { headers: { "user-agent": "Together/JS 0.52.0" } })).json();
    expect(Array.isArray(together)).toBe(true);
    const openai = (await (await gw.request("/v1/models", { headers: { "user-agent": "OpenAI/JS 6.49.0" } })).json()) as any;
    expect(openai.object).toBe("list");
    expect(openai.data.map((m: any) => m.id)).toEqual((together as any[]).map((m) => m.id));
  });
});

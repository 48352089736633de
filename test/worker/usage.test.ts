// GET /v1/usage against the real ledger Durable Object: who may read it, what it refuses, and that
// what the gateway served shows in it.

import { describe, expect, it } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { gateway } from "./gateway";

const SERVER_KEY = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
const SECRET = "test-token-secret-0123456789abcdef0123456789";
const ORIGIN = "https://app.example.com";
const MODEL = "test/tiny-embed";
const since = () => Math.floor(Date.now() / 1000) - 120;

async function usage(gw: ReturnType<typeof gateway>, query: string, headers: Record<string, string> = SERVER_KEY) {
  const res = await gw.request(`/v1/usage?${query}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
}

describe("GET /v1/usage: who may read it", () => {
  it("Should answer a server key, refuse a token with 403 and a request without credential with 401", async () => {
    const gw = gateway({ AUTH_MODE: "token" });
    expect((await usage(gw, `start_time=${since()}`)).status).toBe(200);
    expect((await usage(gw, `start_time=${since()}`, {})).status).toBe(401);
    const { token } = await mintToken(SECRET, { keyId: "ci", sub: "u1", ttlSeconds: 60, origin: ORIGIN });
    const refused = await usage(gw, `start_time=${since()}`, { authorization: `Bearer ${token}`, origin: ORIGIN });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("server_key_required");
  });

  it("Should ask for a server key in open mode too, where nothing else needs a credential", async () => {
    const gw = gateway();
    expect((await usage(gw, `start_time=${since()}`, {})).status).toBe(401);
    expect((await usage(gw, `start_time=${since()}`, { authorization: "Bearer not-a-key" })).status).toBe(403);
    expect((await usage(gw, `start_time=${since()}`)).status).toBe(200);
  });
});

describe("GET /v1/usage: bad parameters are a 400 naming the parameter", () => {
  const cases: Array<[string, string]> = [
    ["", "start_time"],
    ["start_time=abc", "start_time"],
    ["start_time=100&end_time=50", "end_time"],
    ["start_time=100&bucket_width=2h", "bucket_width"],
    ["start_time=100&group_by=model,colour", "group_by"],
    ["start_time=100&limit=0", "limit"],
    ["start_time=100&bucket_width=1d&limit=32", "limit"],
    ["start_time=100&page=x", "page"],
    ["start_time=100&colour=red", "colour"],
  ];
  for (const [query, param] of cases) {
    it(`Should name '${param}' for ?${query}`, async () => {
      const { status, body } = await usage(gateway(), query);
      expect(status).toBe(400);
      expect(body.error.param).toBe(param);
    });
  }
});

describe("GET /v1/usage: what was served shows in it", () => {
  it("Should count requests, inputs and cache hits by tier for the subject that made them", async () => {
    const gw = gateway({
      MODELS: JSON.stringify([{ id: MODEL, type: "embedding", dimensions: 8, max_batch: 4, price_per_million_tokens: 0.02 }]),
    });
    const subject = `ip:test-client-${gw.tenant}`;
    expect((await gw.post("/v1/embeddings", { model: MODEL, input: ["alpha beta", "gamma"] })).status).toBe(200);
    expect((await gw.post("/v1/embeddings", { model: MODEL, input: ["alpha beta", "alpha beta"] })).status).toBe(200);
    const { status, body } = await usage(
      gw,
      `start_time=${since()}&bucket_width=1m&group_by=model,subject,operation&subject=${encodeURIComponent(subject)}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: "page", has_more: false, next_page: null });
    const results = body.data.flatMap((b: any) => b.results);
    const sum = (field: string) => results.reduce((n: number, r: any) => n + r[field], 0);
    expect(sum("num_requests")).toBe(2);
    expect(sum("inputs")).toBe(4);
    expect(sum("memory_hits")).toBe(1);
    expect(sum("cache_hits")).toBe(1);
    expect(results[0]).toMatchObject({ object: "usage.result", model: MODEL, subject, operation: "embeddings" });
    expect(results[0].provider).toBeUndefined();
    expect(sum("saved_usd")).toBeGreaterThan(0);
    for (const bucket of body.data) expect(bucket.end_time - bucket.start_time).toBe(60);
  });
});

// GET /v1/usage against the real ledger Durable Object: who may read it, what it refuses, and that
// what the gateway served shows in it.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import { zeroCounts } from "../../worker/meter/aggregator";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { allProviders, gateway } from "./gateway";

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

const ledger = () => env.USAGE_LEDGER.get(env.USAGE_LEDGER.idFromName("global"));
const row = (subject: string, minute: number, num_requests = 1) => ({
  minute,
  subject,
  model: MODEL,
  provider: "together",
  operation: "embeddings",
  ...zeroCounts(),
  num_requests,
});

describe("GET /v1/usage: estimates, pages and retention", () => {
  it("Should flag the tokens of a provider that reports none as estimated, at 4 characters a token", async () => {
    const gw = gateway((tenant) => {
      const { WORKERS_AI_BASE_URL, WORKERS_AI_ACCOUNT_ID, WORKERS_AI_API_TOKEN } = allProviders(tenant);
      return { MODELS: "", WORKERS_AI_BASE_URL, WORKERS_AI_ACCOUNT_ID, WORKERS_AI_API_TOKEN };
    });
    const subject = `ip:test-client-${gw.tenant}`;
    expect((await gw.post("/v1/embeddings", { model: "BAAI/bge-large-en-v1.5", input: ["twelve chars", "abcd"] })).status).toBe(200);
    const { body } = await usage(gw, `start_time=${since()}&group_by=provider&subject=${encodeURIComponent(subject)}`);
    const [result] = body.data.flatMap((b: any) => b.results);
    expect(result).toMatchObject({ provider: "workers-ai", input_tokens: 4, estimated_tokens: 4, upstream_inputs: 2 });
    // $0.204 per million tokens, the built-in price of BGE large on Workers AI.
    expect(result.cost_usd).toBeCloseTo((4 * 0.204) / 1e6, 15);
  });

  it("Should page through buckets with next_page, oldest first", async () => {
    const gw = gateway();
    const subject = `key:pages-${gw.tenant}`;
    const now = Math.floor(Date.now() / 60_000) * 60;
    await ledger().record(`pages-${gw.tenant}`, [row(subject, now - 180, 1), row(subject, now - 120, 2), row(subject, now - 60, 3)], 90);
    const query = `start_time=${now - 600}&bucket_width=1m&limit=2&subject=${encodeURIComponent(subject)}`;
    const first = await usage(gw, query);
    expect(first.body.data.map((b: any) => [b.start_time, b.results[0].num_requests])).toEqual([
      [now - 180, 1],
      [now - 120, 2],
    ]);
    expect(first.body).toMatchObject({ has_more: true, next_page: String(now - 60) });
    const second = await usage(gw, `${query}&page=${first.body.next_page}`);
    expect(second.body.data.map((b: any) => b.start_time)).toEqual([now - 60]);
    expect(second.body).toMatchObject({ has_more: false, next_page: null });
    // The same rows rolled up: one hour or day bucket holding all six requests (when the three minutes share it).
    const daily = await usage(gw, `start_time=${now - 600}&bucket_width=1d&subject=${encodeURIComponent(subject)}`);
    expect(daily.body.data.flatMap((b: any) => b.results).reduce((n: number, r: any) => n + r.num_requests, 0)).toBe(6);
  });

  it("Should count a retried flush once", async () => {
    const gw = gateway();
    const subject = `key:retry-${gw.tenant}`;
    const minute = Math.floor(Date.now() / 60_000) * 60;
    expect(await ledger().record(`retry-${gw.tenant}`, [row(subject, minute, 5)], 90)).toBe(true);
    expect(await ledger().record(`retry-${gw.tenant}`, [row(subject, minute, 5)], 90)).toBe(false);
    const { body } = await usage(gw, `start_time=${since()}&subject=${encodeURIComponent(subject)}`);
    expect(body.data[0].results[0].num_requests).toBe(5);
  });

  it("Should drop rows older than USAGE_RETENTION_DAYS when the ledger's alarm runs, and keep the rest", async () => {
    const gw = gateway();
    const subject = `key:old-${gw.tenant}`;
    const now = Math.floor(Date.now() / 60_000) * 60;
    const old = now - 3 * 86_400;
    await ledger().record(`old-${gw.tenant}`, [row(subject, old, 7), row(subject, now, 1)], 2);
    const before = await usage(gw, `start_time=${old - 86_400}&bucket_width=1d&subject=${encodeURIComponent(subject)}`);
    expect(before.body.data.flatMap((b: any) => b.results).reduce((n: number, r: any) => n + r.num_requests, 0)).toBe(8);
    expect(await runDurableObjectAlarm(ledger())).toBe(true);
    for (const width of ["1m", "1h", "1d"]) {
      const after = await usage(gw, `start_time=${old - 86_400}&bucket_width=${width}&limit=31&subject=${encodeURIComponent(subject)}`);
      expect(after.body.data.flatMap((b: any) => b.results).reduce((n: number, r: any) => n + r.num_requests, 0)).toBe(1);
    }
  });

  it("Should be in the OpenAPI document with its parameters", async () => {
    const doc = (await (await gateway().request("/openapi.json")).json()) as any;
    const params = doc.paths["/v1/usage"].get.parameters.map((p: any) => p.name);
    expect(params).toEqual(
      expect.arrayContaining(["start_time", "end_time", "bucket_width", "group_by", "subject", "model", "limit", "page"]),
    );
    expect(doc.paths["/v1/usage/budgets"].get).toBeDefined();
  });
});

// The accounting is exact: under 1,000 mixed requests from two subjects and two models at
// concurrency 8, GET /v1/usage sums to what the upstream stand-in itself counted.

import { describe, expect, it } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { gateway } from "./gateway";

const EMBED = "test/tiny-embed";
const RERANK = "Salesforce/Llama-Rank-v1";
const MODELS = JSON.stringify([
  { id: EMBED, type: "embedding", dimensions: 8, max_batch: 4, price_per_million_tokens: 0.02 },
  // The route's own price wins over the model's.
  {
    id: RERANK,
    type: "rerank",
    price_per_million_tokens: 9,
    routes: [{ provider: "together", model: RERANK, price_per_million_tokens: 0.1 }],
  },
]);
const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"];

/** A deterministic pseudo-random stream, so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe("usage accounting is exact", () => {
  it("Should sum to the stand-in's own counts over 1,000 mixed requests from two subjects and two models at concurrency 8", {
    timeout: 180_000,
  }, async () => {
    // Usage waits in memory for 10 ms, so flushes carry many requests and race the next ones.
    // Two token holders on the "high" tier (1,200 requests a minute), so the rate limiter stays out of it.
    const gw = gateway({ MODELS, USAGE_FLUSH_MS: "10", AUTH_MODE: "token" });
    const secret = "test-token-secret-0123456789abcdef0123456789";
    const next = random(17);
    const pick = () => WORDS[Math.floor(next() * WORDS.length)];
    const text = () => `${pick()} ${pick()} ${Math.floor(next() * 40)}`;
    const subs = [`exact-a-${gw.tenant}`, `exact-b-${gw.tenant}`];
    const subjects = subs.map((sub) => `token:ci/${sub}`);
    const tokens = await Promise.all(
      subs.map(async (sub) => (await mintToken(secret, { keyId: "ci", sub, ttlSeconds: 600, tier: "high" })).token),
    );
    const requests = Array.from({ length: 1000 }, (_, i) => {
      const credential = tokens[i % 2];
      if (next() < 0.6) {
        const input = Array.from({ length: 1 + Math.floor(next() * 6) }, text);
        return { credential, path: "/v1/embeddings", body: { model: EMBED, input }, inputs: input.length };
      }
      const documents = Array.from({ length: 1 + Math.floor(next() * 5) }, text);
      return { credential, path: "/v1/rerank", body: { model: RERANK, query: pick(), documents }, inputs: documents.length };
    });

    let cursor = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (cursor < requests.length) {
          const r = requests[cursor++];
          const res = await gw.post(r.path, r.body, { authorization: `Bearer ${r.credential}` });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const stand = await gw.stats();
    const upstreamInputs = [...Object.values(stand.embedded), ...Object.values(stand.reranked)].reduce((a, b) => a + b, 0);
    const start = Math.floor(Date.now() / 1000) - 3600;
    const res = await gw.request(`/v1/usage?start_time=${start}&bucket_width=1h&group_by=subject,model`, {
      headers: { authorization: `Bearer ${TEST_SERVER_KEY_1}` },
    });
    const page = (await res.json()) as any;
    const results = page.data.flatMap((b: any) => b.results).filter((r: any) => subjects.includes(r.subject));
    const sum = (field: string, model?: string) =>
      results.filter((r: any) => !model || r.model === model).reduce((n: number, r: any) => n + r[field], 0);

    expect(sum("num_requests")).toBe(1000);
    expect(sum("inputs")).toBe(requests.reduce((n, r) => n + r.inputs, 0));
    expect(sum("input_tokens")).toBe(stand.billedTokens);
    expect(sum("upstream_inputs")).toBe(upstreamInputs);
    expect(sum("estimated_tokens")).toBe(0);
    // Money: tokens times the price of the route that answered, exact to the pico-dollar.
    expect(sum("cost_usd", EMBED)).toBeCloseTo((sum("input_tokens", EMBED) * 0.02) / 1e6, 12);
    expect(sum("cost_usd", RERANK)).toBeCloseTo((sum("input_tokens", RERANK) * 0.1) / 1e6, 12);
    expect(sum("cache_hits")).toBeGreaterThan(0);
    expect(sum("saved_usd")).toBeGreaterThan(0);
    // Each subject is counted on its own: both made half of the requests.
    for (const subject of subjects) {
      expect(results.filter((r: any) => r.subject === subject).reduce((n: number, r: any) => n + r.num_requests, 0)).toBe(500);
    }
  });
});

// Budgets against the real budget ledger Durable Objects: refused before anything goes upstream,
// other subjects and full cache hits served, reservations hold under concurrency, and a period's
// end resets the count.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mintToken } from "../../worker/auth/tokens";
import type { BudgetLedger, Spent } from "../../worker/budgets/ledger";
import { TEST_SERVER_KEY_1 } from "../setup/test-keys";
import { gateway } from "./gateway";

const MODEL = "test/tiny-embed";
const MODELS = JSON.stringify([{ id: MODEL, type: "embedding", dimensions: 8, max_batch: 4, price_per_million_tokens: 1000 }]);
const SECRET = "test-token-secret-0123456789abcdef0123456789";
const budgeted = (rules: unknown[], vars: Record<string, string> = {}) => gateway({ MODELS, BUDGETS: JSON.stringify(rules), ...vars });
const embed = (gw: ReturnType<typeof gateway>, input: string[], ip = `ip-a-${gw.tenant}`, headers: Record<string, string> = {}) =>
  gw.post("/v1/embeddings", { model: MODEL, input }, { "cf-connecting-ip": ip, ...headers });
const ledgerOf = (subject: string) => env.BUDGET_LEDGER.get(env.BUDGET_LEDGER.idFromName(subject));

describe("budgets", () => {
  it("Should stop spending at the limit with nothing sent upstream, and still serve other subjects and full cache hits", async () => {
    const gw = budgeted([{ subject: "ip", period: "day", max_tokens: 12 }]);
    // "word word word word" is 4 tokens for the stand-in and estimated at 5 (19 characters / 4).
    const texts = ["one two three four", "five six seven eight", "nine ten eleven twelve", "a b c d"];
    expect((await embed(gw, [texts[0]])).status).toBe(200);
    // From a page: the header is readable there too.
    const second = await embed(gw, [texts[1]], undefined, { origin: "https://app.example.com" });
    expect(second.status).toBe(200);
    expect(second.headers.get("x-budget-remaining")).toMatch(/^\d+; unit=tokens; period=day$/);
    expect(second.headers.get("access-control-expose-headers")).toContain("X-Budget-Remaining");
    const before = await gw.stats();

    const refused = await embed(gw, [texts[2]]);
    expect(refused.status).toBe(429);
    const toMidnight = (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) / 1000;
    expect(Math.abs(Number(refused.headers.get("retry-after")) - toMidnight)).toBeLessThanOrEqual(2);
    const body = (await refused.json()) as any;
    expect(body.error.code).toBe("budget_exceeded");
    expect(body.error.message).toMatch(/day/);
    expect(body.error.message).toMatch(/max_tokens 12/);
    const after = await gw.stats();
    expect(after.calls.embeddings).toBe(before.calls.embeddings);
    expect(after.billedTokens).toBeLessThanOrEqual(12);

    // A full cache hit spends nothing: served over budget, with no budget check.
    expect((await embed(gw, [texts[0], texts[1]])).status).toBe(200);
    // Another subject has its own budget.
    expect((await embed(gw, [texts[2]], `ip-b-${gw.tenant}`)).status).toBe(200);
  });

  it("Should say so when one request alone needs more than the whole budget", async () => {
    const gw = budgeted([{ subject: "ip", period: "minute", max_inputs: 2 }]);
    const refused = await embed(gw, ["one", "two", "three"]);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.message).toMatch(
      /alone needs about 3 \(inputs\), more than the minute budget .* allows \(max_inputs 2 a minute\)/,
    );
    expect((await gw.stats()).calls.embeddings).toBe(0);
  });

  it("Should reset at the period's end", async () => {
    const gw = budgeted([{ subject: "ip", period: "minute", max_inputs: 1 }]);
    const ip = `ip-reset-${gw.tenant}`;
    expect((await embed(gw, ["first"], ip)).status).toBe(200);
    const refused = await embed(gw, ["second"], ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    // The minute ends: the stored count is now of an earlier minute (as it will be once the clock moves on).
    await runInDurableObject(ledgerOf(`ip:${ip}`), (ledger: BudgetLedger) => {
      (ledger as unknown as { stored: Spent }).stored.minute.start -= 60_000;
    });
    expect((await embed(gw, ["second"], ip)).status).toBe(200);
  });

  it("Should let concurrent requests of one subject spend no more than the limit", async () => {
    const gw = budgeted([{ subject: "ip", period: "day", max_inputs: 10 }]);
    const ip = `ip-burst-${gw.tenant}`;
    const statuses = await Promise.all(Array.from({ length: 25 }, (_, i) => embed(gw, [`burst ${i}`], ip).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const stats = await gw.stats();
    expect(Object.values(stats.embedded).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("Should charge money at the route's price and refuse past max_usd", async () => {
    // $1000 per million tokens: a 4-token text costs $0.004.
    const gw = budgeted([{ subject: "*", period: "month", max_usd: 0.01 }]);
    const ip = `ip-usd-${gw.tenant}`;
    expect((await embed(gw, ["red green blue pink"], ip)).status).toBe(200);
    expect((await embed(gw, ["cyan teal navy gold"], ip)).status).toBe(200);
    const refused = await embed(gw, ["lime plum rose sand"], ip);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.message).toMatch(/month.*max_usd 0\.01/);
  });

  it("Should bound a token's subject by the budget it was minted with, on top of BUDGETS", async () => {
    const gw = gateway({ MODELS, AUTH_MODE: "token" });
    const { token } = await mintToken(SECRET, {
      keyId: "ci",
      sub: `budget-${gw.tenant}`,
      ttlSeconds: 600,
      budget: { period: "day", max_tokens: 5 },
    });
    const auth = { authorization: `Bearer ${token}` };
    expect((await embed(gw, ["one two three four"], undefined, auth)).status).toBe(200);
    const refused = await embed(gw, ["five six seven eight"], undefined, auth);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.code).toBe("budget_exceeded");
  });

  it("Should mint a token with a budget through POST /v1/tokens and refuse a malformed one naming it", async () => {
    const gw = gateway({ MODELS, AUTH_MODE: "token" });
    const key = { authorization: `Bearer ${TEST_SERVER_KEY_1}` };
    const ok = await gw.post("/v1/tokens", { sub: "u-budget", any_origin: true, budget: { period: "day", max_usd: 0.5 } }, key);
    expect(ok.status).toBe(200);
    const bad = await gw.post("/v1/tokens", { sub: "u-budget", any_origin: true, budget: { period: "week", max_usd: 0.5 } }, key);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.param).toMatch(/^budget/);
  });

  it("Should list each rule with its subjects' current use on GET /v1/usage/budgets", async () => {
    const gw = budgeted([{ subject: "ip", period: "day", max_inputs: 100 }]);
    const ip = `ip-state-${gw.tenant}`;
    expect((await embed(gw, ["state one", "state two"], ip)).status).toBe(200);
    const res = await gw.request("/v1/usage/budgets", { headers: { authorization: `Bearer ${TEST_SERVER_KEY_1}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.data[0].rule).toEqual({ subject: "ip", period: "day", max_inputs: 100 });
    expect(body.data[0].subjects).toContainEqual({ subject: `ip:${ip}`, used: expect.objectContaining({ inputs: 2 }) });
  });
});

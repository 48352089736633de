import type { z } from "@hono/zod-openapi";
import type { GatewayEnv } from "../config";
import { type BudgetRule, periodBounds, ruleMatches } from "../config/budget-rules";
import { ledgerOf } from "../meter/meter";
import type { BudgetStateSchema, UsagePageSchema } from "../schemas/usage";
import type { LedgerResult, UsageQuery } from "./ledger";
import { PICO_PER_USD } from "./money";

const WIDTH_SECONDS = { "1d": 86_400, "1h": 3600, "1m": 60 } as const;
/** Subjects listed per class rule (`*`, `token`, `key`, `ip`) on the budget view: the ones that spent most today. */
const SUBJECTS_PER_RULE = 20;

/** Dollars from whole micro-dollars plus a pico-dollar remainder, as the ledger sums them. */
const dollars = (micro: number, rest: number) => micro / 1e6 + rest / PICO_PER_USD;

function usageResult(r: LedgerResult) {
  return {
    object: "usage.result" as const,
    ...(r.model !== undefined && { model: r.model }),
    ...(r.subject !== undefined && { subject: r.subject }),
    ...(r.provider !== undefined && { provider: r.provider }),
    ...(r.operation !== undefined && { operation: r.operation }),
    num_requests: r.num_requests,
    inputs: r.inputs,
    cache_hits: r.memory_hits + r.store_hits,
    memory_hits: r.memory_hits,
    store_hits: r.store_hits,
    upstream_inputs: r.upstream_inputs,
    input_tokens: r.input_tokens,
    estimated_tokens: r.estimated_tokens,
    cost_usd: dollars(r.cost_micro, r.cost_rest),
    saved_usd: dollars(r.saved_micro, r.saved_rest),
  };
}

/** One page of GET /v1/usage: the ledger's buckets in OpenAI's Usage API shape. */
export async function usagePage(env: GatewayEnv, query: UsageQuery): Promise<z.infer<typeof UsagePageSchema>> {
  const { buckets, nextStart } = await ledgerOf(env).query(query);
  const width = WIDTH_SECONDS[query.width];
  return {
    object: "page",
    data: buckets.map((b) => ({
      object: "bucket" as const,
      start_time: b.start,
      end_time: b.start + width,
      results: b.results.map(usageResult),
    })),
    has_more: nextStart !== null,
    next_page: nextStart === null ? null : String(nextStart),
  };
}

/**
 * Each BUDGETS rule with what its subjects used in the current period: a named subject's own
 * ledger, or for a class rule the subjects of that class that spent most today (from the usage
 * ledger, so as of the last flush), each read from its budget ledger.
 */
export async function budgetState(env: GatewayEnv, rules: readonly BudgetRule[]): Promise<z.infer<typeof BudgetStateSchema>> {
  if (rules.length === 0) return { object: "list", data: [] };
  const today = periodBounds("day", Date.now());
  const { buckets } = await ledgerOf(env).query({
    width: "1d",
    start: today.start / 1000,
    end: today.end / 1000,
    groupBy: ["subject"],
    limit: 1,
  });
  const active = (buckets[0]?.results ?? [])
    .sort((a, b) => b.cost_micro - a.cost_micro || b.input_tokens - a.input_tokens || b.num_requests - a.num_requests)
    .map((r) => r.subject as string);
  const spentOf = new Map<string, ReturnType<typeof readSpent>>();
  const readSpent = (subject: string) => env.BUDGET_LEDGER.get(env.BUDGET_LEDGER.idFromName(subject)).spent();
  const data = await Promise.all(
    rules.map(async (rule) => {
      const isClass = ["*", "token", "key", "ip"].includes(rule.subject);
      const subjects = isClass ? active.filter((s) => ruleMatches(rule, s)).slice(0, SUBJECTS_PER_RULE) : [rule.subject];
      const used = await Promise.all(
        subjects.map(async (subject) => {
          let spent = spentOf.get(subject);
          if (!spent) {
            spent = readSpent(subject);
            spentOf.set(subject, spent);
          }
          const period = (await spent)[rule.period];
          return {
            subject,
            used: { usd: period.pico / PICO_PER_USD, tokens: period.tokens, inputs: period.inputs, resets_at: period.end / 1000 },
          };
        }),
      );
      return { rule, subjects: used };
    }),
  );
  return { object: "list", data };
}

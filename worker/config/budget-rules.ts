import { z } from "@hono/zod-openapi";

export const PERIODS = ["minute", "day", "month"] as const;
export type Period = (typeof PERIODS)[number];

/** One `BUDGETS` rule: a subject (or class of subjects) and the most it may spend in a UTC period. */
export const BudgetRuleSchema = z
  .object({
    /** `*` (every subject, each on its own), `token`, `key`, `ip` (each subject of that kind), or one subject (`token:user-42`). */
    subject: z.string().min(1),
    period: z.enum(PERIODS),
    max_usd: z.number().nonnegative().optional(),
    max_tokens: z.number().int().nonnegative().optional(),
    max_inputs: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((r) => r.max_usd !== undefined || r.max_tokens !== undefined || r.max_inputs !== undefined, {
    message: "a rule needs max_usd, max_tokens or max_inputs",
  });

export type BudgetRule = z.infer<typeof BudgetRuleSchema>;

/** The budget a token carries (POST /v1/tokens `budget`): it adds to the BUDGETS rules, never replaces them. */
export const TokenBudgetSchema = z
  .object({
    period: z.enum(PERIODS),
    max_usd: z.number().nonnegative().optional(),
    max_tokens: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((b) => b.max_usd !== undefined || b.max_tokens !== undefined, { message: "a budget needs max_usd or max_tokens" });

export type TokenBudget = z.infer<typeof TokenBudgetSchema>;

/** `BUDGETS`: a JSON array of rules (or an already-parsed array from wrangler vars); empty or unset means none. */
export function parseBudgets(raw: unknown): BudgetRule[] {
  let value = raw === "" ? undefined : raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error("BUDGETS must be a JSON array of {subject, period, max_usd?, max_tokens?, max_inputs?}");
    }
  }
  const parsed = z.array(BudgetRuleSchema).safeParse(value ?? []);
  if (!parsed.success) throw new Error(`BUDGETS is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Whether `rule` applies to `subject` (`token:…`, `key:…`, `ip:…`). */
export function ruleMatches(rule: BudgetRule, subject: string): boolean {
  switch (rule.subject) {
    case "*":
      return true;
    case "token":
    case "key":
    case "ip":
      return subject.startsWith(`${rule.subject}:`);
    default:
      return rule.subject === subject;
  }
}

/** The rules that govern one subject: every matching BUDGETS rule, plus its token's own budget. */
export function rulesFor(rules: readonly BudgetRule[], subject: string, tokenBudget?: TokenBudget): BudgetRule[] {
  const matching = rules.filter((rule) => ruleMatches(rule, subject));
  if (tokenBudget) matching.push({ subject, ...tokenBudget });
  return matching;
}

/** The start of the UTC period holding `ms`, and of the next one (both unix ms). */
export function periodBounds(period: Period, ms: number): { start: number; end: number } {
  if (period === "minute") {
    const start = Math.floor(ms / 60_000) * 60_000;
    return { start, end: start + 60_000 };
  }
  const d = new Date(ms);
  if (period === "day") {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

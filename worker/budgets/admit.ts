import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ServedModel } from "../catalogue/resolve";
import { type BudgetRule, rulesFor } from "../config/budget-rules";
import { ApiError } from "../errors";
import { estimateTokens, picoOf, routePicoPerToken, usdOf } from "../usage/money";
import { subjectOf } from "../usage/subject";
import type { Amounts, Limit, Remaining, Reservation } from "./ledger";

/** A rule in the ledger's units (pico-dollars for money). */
export const limitOf = (rule: BudgetRule): Limit => ({
  period: rule.period,
  pico: rule.max_usd === undefined ? undefined : picoOf(rule.max_usd),
  tokens: rule.max_tokens,
  inputs: rule.max_inputs,
});

const UNIT_NAMES = { pico: "usd", tokens: "tokens", inputs: "inputs" } as const;
const LIMIT_NAMES = { pico: "max_usd", tokens: "max_tokens", inputs: "max_inputs" } as const;
const amountIn = (unit: keyof Amounts, value: number) => (unit === "pico" ? usdOf(value) : value);

/** `X-Budget-Remaining`: what the tightest rule has left, in its unit, e.g. `1200; unit=tokens; period=day`. */
export const remainingHeader = (r: Remaining) => `${amountIn(r.unit, r.left)}; unit=${UNIT_NAMES[r.unit]}; period=${r.period}`;

export interface Admission {
  /** What the request was estimated to spend, as reserved. */
  estimate: Amounts;
  /** Settles the reservation with what was really spent (real minus estimate). */
  settle(actual: Amounts): void;
}

/**
 * Checks the budgets that govern this request's subject before anything goes upstream, reserving
 * an estimate of what `texts` will cost (4 characters a token, at the model's first route's price).
 * Undefined when no rule governs the subject. Throws 429 `budget_exceeded` when a rule would be
 * passed, with `Retry-After` the seconds to that period's reset; nothing has gone upstream then.
 * The reservation happens in the subject's own ledger, one call at a time, so concurrent requests
 * cannot all pass on the same remaining budget. A ledger that cannot be reached refuses (503):
 * a budget exists to bound money, so it fails closed.
 */
export async function admitBudget(
  c: Context<AppEnv>,
  model: ServedModel,
  texts: readonly string[],
  extraChars: number,
): Promise<Admission | undefined> {
  const config = c.get("config");
  if (config.budgets.length === 0 && !c.get("principal").budget) return undefined;
  const subject = subjectOf(c.get("principal"));
  const rules = rulesFor(config.budgets, subject, c.get("principal").budget);
  if (rules.length === 0 || !c.env.BUDGET_LEDGER) return undefined;
  const tokens = estimateTokens(texts, extraChars);
  const estimate: Amounts = { tokens, pico: tokens * routePicoPerToken(model, 0), inputs: texts.length };
  const ledger = c.env.BUDGET_LEDGER.get(c.env.BUDGET_LEDGER.idFromName(subject));
  let reservation: Reservation;
  try {
    reservation = await ledger.reserve(rules.map(limitOf), estimate);
  } catch (err) {
    console.warn(
      JSON.stringify({ level: "warn", request_id: c.get("requestId"), message: "budget ledger unreachable", error: String(err) }),
    );
    throw new ApiError(503, "budget_unavailable", "The budget state cannot be read just now; try again shortly.", {
      headers: { "Retry-After": "5" },
    });
  }
  if (!reservation.ok) {
    const seconds = Math.max(1, Math.ceil((reservation.resetAt - Date.now()) / 1000));
    const { unit, period } = reservation;
    const limit = `${LIMIT_NAMES[unit]} ${amountIn(unit, reservation.limit)} a ${period}`;
    // A request larger than the whole budget would be refused again after the reset: say so.
    const tooLarge = estimate[unit] > reservation.limit;
    throw new ApiError(
      429,
      "budget_exceeded",
      tooLarge
        ? `This request alone needs about ${amountIn(unit, estimate[unit])} (${UNIT_NAMES[unit]}), more than the ${period} budget of ${subject} allows (${limit}); send fewer or shorter inputs.`
        : `The ${period} budget of ${subject} is spent (${limit}, used ${amountIn(unit, reservation.used)}); it resets in ${seconds} s. Cached answers are still served.`,
      { headers: { "Retry-After": String(seconds) } },
    );
  }
  if (reservation.remaining) c.header("X-Budget-Remaining", remainingHeader(reservation.remaining));
  const { starts } = reservation;
  return {
    estimate,
    settle(actual) {
      const delta = { pico: actual.pico - estimate.pico, tokens: actual.tokens - estimate.tokens, inputs: actual.inputs - estimate.inputs };
      if (delta.pico === 0 && delta.tokens === 0 && delta.inputs === 0) return;
      c.executionCtx.waitUntil(
        ledger.settle(starts, delta).catch((err) => {
          console.warn(JSON.stringify({ level: "warn", message: "budget settle failed", error: String(err) }));
        }),
      );
    },
  };
}

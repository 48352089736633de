import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { ItemStats, UpstreamSpend } from "../cache/item-cache";
import type { ServedModel } from "../catalogue/resolve";
import { minuteOf } from "../meter/aggregator";
import { record } from "../meter/meter";
import { estimateTokens, routePicoPerToken, usdOf } from "./money";
import { subjectOf } from "./subject";

/** The operation a model's requests are accounted under. */
export const operationOf = (model: ServedModel) => (model.spec.type === "embedding" ? "embeddings" : "rerank");

/** Tokens, estimated tokens and pico-dollars of what the routes spent. */
export function spendTotals(
  model: ServedModel,
  spent: readonly UpstreamSpend[],
): { tokens: number; estimated: number; pico: number; inputs: number } {
  let tokens = 0;
  let estimated = 0;
  let pico = 0;
  let inputs = 0;
  for (const s of spent) {
    tokens += s.usage.total_tokens;
    if (s.usage.estimated) estimated += s.usage.total_tokens;
    pico += s.usage.total_tokens * routePicoPerToken(model, s.route);
    inputs += s.inputs;
  }
  return { tokens, estimated, pico, inputs };
}

/**
 * Accounts what a request's own upstream calls spent, by the provider that answered: called once
 * when they settle, success or failure, so a request that failed after some batches were billed is
 * counted too, and calls shared from another request are counted once, by their owner.
 */
export function accountSpend(c: Context<AppEnv>, model: ServedModel, spent: readonly UpstreamSpend[]): void {
  const minute = minuteOf(Date.now());
  const subject = subjectOf(c.get("principal"));
  const operation = operationOf(model);
  for (const s of spent) {
    const tokens = s.usage.total_tokens;
    record(
      c.get("gateway").usage,
      c.get("config"),
      c.env,
      (work) => c.executionCtx.waitUntil(work),
      { minute, subject, model: model.spec.id, provider: s.provider, operation },
      {
        upstream_inputs: s.inputs,
        input_tokens: tokens,
        estimated_tokens: s.usage.estimated ? tokens : 0,
        cost_pico: tokens * routePicoPerToken(model, s.route),
      },
    );
  }
}

/**
 * Accounts one served request: its inputs, its cache hits by tier and what they saved, under the
 * model's first route (hits are that route's answers). What went upstream is accounted by
 * `accountSpend`. Saved tokens are estimated at 4 characters a token (the hits were never sent, so
 * nobody counted them): the request's average per input times its distinct hits. `extraChars` is
 * added to each text (a rerank query goes up with every document).
 */
export function account(c: Context<AppEnv>, model: ServedModel, texts: readonly string[], stats: ItemStats, extraChars = 0): void {
  if (!c.env.USAGE_LEDGER) return;
  const hits = stats.memoryHits + stats.storeHits;
  const savedTokens = hits && texts.length ? Math.round((estimateTokens(texts, extraChars) * hits) / texts.length) : 0;
  const saved = savedTokens * routePicoPerToken(model, 0);
  const key = {
    minute: minuteOf(Date.now()),
    subject: subjectOf(c.get("principal")),
    model: model.spec.id,
    provider: model.routes[0].route.provider,
    operation: operationOf(model),
  };
  record(c.get("gateway").usage, c.get("config"), c.env, (work) => c.executionCtx.waitUntil(work), key, {
    num_requests: 1,
    inputs: texts.length,
    memory_hits: stats.memoryHits,
    store_hits: stats.storeHits,
    saved_pico: saved,
  });
  const events = c.env.USAGE_EVENTS;
  if (events) {
    const spent = stats.spent;
    const totals = spendTotals(model, spent);
    events.writeDataPoint({
      indexes: [key.subject],
      blobs: [key.subject, key.model, spent[0]?.provider ?? key.provider, key.operation],
      doubles: [
        texts.length,
        stats.memoryHits,
        stats.storeHits,
        totals.inputs,
        totals.tokens,
        totals.estimated,
        usdOf(totals.pico),
        usdOf(saved),
      ],
    });
  }
}

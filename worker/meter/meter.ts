import type { GatewayConfig, GatewayEnv } from "../config";
import { UsageAggregator, type UsageCounts, type UsageKey, type UsageRow } from "./aggregator";

/** One isolate's usage not yet in the ledger, and whether a flush is already scheduled. */
export interface UsageMeter {
  readonly aggregator: UsageAggregator;
  /** A flush the ledger did not confirm, sent again (same id, so never counted twice) before anything newer. */
  unconfirmed: { id: string; rows: UsageRow[] } | undefined;
  scheduled: boolean;
}

/** An empty meter: one per gateway (per isolate and configuration), kept on the gateway object. */
export const usageMeter = (): UsageMeter => ({ aggregator: new UsageAggregator(), unconfirmed: undefined, scheduled: false });

/**
 * Flush ids are this isolate's random prefix and a counter: unique without coordination. Drawn on
 * the first flush (workerd allows no random values at global scope).
 */
let isolateId: string | undefined;
let flushes = 0;
/** Rows an isolate holds before it flushes without waiting for the timer (~200 bytes each). */
const MAX_ROWS = 2000;

/** The ledger's one instance. */
export const ledgerOf = (env: GatewayEnv) => env.USAGE_LEDGER.get(env.USAGE_LEDGER.idFromName("global"));

/**
 * Adds usage to this isolate's sums and makes sure a flush follows within USAGE_FLUSH_MS. The first
 * record after a flush schedules the next one in `waitUntil` (a timer, not a Durable Object alarm:
 * the sums live in this isolate's memory, which only this isolate can send), so what was served
 * reaches the ledger even when no further request arrives; later records only add to the sums, so
 * accounting costs no store write and no I/O per request.
 */
export function record(
  meter: UsageMeter,
  config: GatewayConfig,
  env: GatewayEnv,
  waitUntil: (work: Promise<unknown>) => void,
  key: UsageKey,
  counts: Partial<UsageCounts>,
): void {
  if (!env.USAGE_LEDGER) return;
  meter.aggregator.add(key, counts);
  // Thousands of subjects in one isolate within one flush interval: sent at once, so neither the
  // isolate's memory nor one flush's size grows without bound.
  if (meter.aggregator.size >= MAX_ROWS) {
    waitUntil(flush(meter, env, config.usage.retentionDays, false));
    return;
  }
  if (meter.scheduled) return;
  meter.scheduled = true;
  const due = meter;
  waitUntil(new Promise((resolve) => setTimeout(resolve, config.usage.flushMs)).then(() => flush(due, env, config.usage.retentionDays)));
}

/** Sends the sums to the ledger; a failed send is kept and retried with the next flush. */
async function flush(meter: UsageMeter, env: GatewayEnv, retentionDays: number, timed = true): Promise<void> {
  if (timed) meter.scheduled = false;
  // The stub is made here: an I/O object belongs to the request whose waitUntil runs this flush.
  const ledger = ledgerOf(env);
  try {
    if (meter.unconfirmed) {
      await ledger.record(meter.unconfirmed.id, meter.unconfirmed.rows, retentionDays);
      meter.unconfirmed = undefined;
    }
  } catch (err) {
    console.warn(JSON.stringify({ level: "warn", message: "usage flush failed", error: String(err) }));
    return;
  }
  const rows = meter.aggregator.drain();
  if (rows.length === 0) return;
  isolateId ??= crypto.randomUUID();
  const batch = { id: `${isolateId}-${flushes++}`, rows };
  try {
    await ledger.record(batch.id, batch.rows, retentionDays);
  } catch (err) {
    // One unconfirmed batch is kept for a retry under its id; a second (two flushes failing at
    // once) goes back into the sums, where it can only be counted again if its send half-succeeded.
    if (meter.unconfirmed) meter.aggregator.merge(batch.rows);
    else meter.unconfirmed = batch;
    console.warn(JSON.stringify({ level: "warn", message: "usage flush failed", error: String(err) }));
  }
}

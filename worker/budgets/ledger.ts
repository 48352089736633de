import { DurableObject } from "cloudflare:workers";
import { type Period, periodBounds } from "./rules";

/** What a request spends (or is estimated to): money in pico-dollars, tokens, inputs. */
export interface Amounts {
  pico: number;
  tokens: number;
  inputs: number;
}

/** One rule's limits in the ledger's units. */
export interface Limit {
  period: Period;
  pico?: number;
  tokens?: number;
  inputs?: number;
}

export type Unit = keyof Amounts;

/** The rule and unit with the least left (as a share of its limit), after this request's reservation. */
export interface Remaining {
  period: Period;
  unit: Unit;
  left: number;
}

export type Reservation =
  | { ok: true; starts: Partial<Record<Period, number>>; remaining: Remaining | undefined }
  | { ok: false; period: Period; unit: Unit; limit: number; used: number; resetAt: number };

/** What a subject has spent in the current minute, day and month. */
export type Spent = Record<Period, Amounts & { start: number; end: number }>;

const UNITS: Unit[] = ["pico", "tokens", "inputs"];

/**
 * One subject's budget state: one SQLite Durable Object per subject (named by the subject). A
 * subject's requests are what must be counted one after another, and an object does that by running
 * one call at a time with no locks; separate objects spread thousands of subjects over the network
 * instead of queueing them all on one. Each row holds what was spent in the current UTC minute, day
 * or month; a request reserves its estimate here before going upstream and settles the difference
 * once its real figure is known.
 */
export class BudgetLedger extends DurableObject {
  #sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS spent (period TEXT PRIMARY KEY, start INTEGER NOT NULL, pico INTEGER NOT NULL, tokens INTEGER NOT NULL, inputs INTEGER NOT NULL)",
    );
  }

  /** The current period's row (zero when the stored one is of an earlier period). */
  #current(period: Period, now: number): Amounts & { start: number; end: number } {
    const { start, end } = periodBounds(period, now);
    const row = this.#sql
      .exec<{ start: number; pico: number; tokens: number; inputs: number }>(
        "SELECT start, pico, tokens, inputs FROM spent WHERE period = ?",
        period,
      )
      .toArray()[0];
    return row && row.start === start ? { ...row, end } : { start, end, pico: 0, tokens: 0, inputs: 0 };
  }

  /**
   * Reserves `estimate` under every limit, or refuses when any would be passed: the subject's spent
   * plus reservations plus this estimate must stay within each limit. Runs without awaiting, so
   * concurrent requests of the subject are reserved strictly one after another.
   */
  async reserve(limits: readonly Limit[], estimate: Amounts): Promise<Reservation> {
    const now = Date.now();
    const rows = new Map<Period, Amounts & { start: number; end: number }>();
    let remaining: Remaining | undefined;
    let tightest = Number.POSITIVE_INFINITY;
    for (const limit of limits) {
      const row = rows.get(limit.period) ?? this.#current(limit.period, now);
      rows.set(limit.period, row);
      for (const unit of UNITS) {
        const max = limit[unit];
        if (max === undefined) continue;
        if (row[unit] + estimate[unit] > max) {
          return { ok: false, period: limit.period, unit, limit: max, used: row[unit], resetAt: row.end };
        }
        const left = max - row[unit] - estimate[unit];
        const share = max === 0 ? 0 : left / max;
        if (share < tightest) {
          tightest = share;
          remaining = { period: limit.period, unit, left };
        }
      }
    }
    const starts: Partial<Record<Period, number>> = {};
    for (const [period, row] of rows) {
      this.#write(period, row.start, row.pico + estimate.pico, row.tokens + estimate.tokens, row.inputs + estimate.inputs);
      starts[period] = row.start;
    }
    return { ok: true, starts, remaining };
  }

  /** Replaces a reservation by the real figure: adds `delta` (real minus estimate) to the periods still current. */
  async settle(starts: Partial<Record<Period, number>>, delta: Amounts): Promise<void> {
    const now = Date.now();
    for (const [period, start] of Object.entries(starts) as Array<[Period, number]>) {
      const row = this.#current(period, now);
      if (row.start !== start) continue;
      this.#write(period, start, row.pico + delta.pico, row.tokens + delta.tokens, row.inputs + delta.inputs);
    }
  }

  /** What the subject has spent in each current period. */
  async spent(): Promise<Spent> {
    const now = Date.now();
    return { minute: this.#current("minute", now), day: this.#current("day", now), month: this.#current("month", now) };
  }

  #write(period: Period, start: number, pico: number, tokens: number, inputs: number): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO spent (period, start, pico, tokens, inputs) VALUES (?, ?, ?, ?, ?)",
      period,
      start,
      Math.max(0, pico),
      Math.max(0, tokens),
      Math.max(0, inputs),
    );
  }
}

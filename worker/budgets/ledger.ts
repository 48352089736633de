import { DurableObject } from "cloudflare:workers";
import { PERIODS, type Period, periodBounds } from "../config/budget-rules";

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
/** How soon a change of spending is stored. */
const PERSIST_MS = 50;

/**
 * One subject's budget state: one SQLite Durable Object per subject (named by the subject). A
 * subject's requests are what must be counted one after another, and an object does that by running
 * one call at a time with no locks; separate objects spread thousands of subjects over the network
 * instead of queueing them all on one. Its one row holds what was spent in the current UTC minute,
 * day and month; a request reserves its estimate here before going upstream and settles the
 * difference once its real figure is known.
 */
export class BudgetLedger extends DurableObject {
  /** The stored spending, read once when the object starts; every change goes here first. */
  private stored: Partial<Spent> = {};
  #persisting: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.blockConcurrencyWhile(async () => {
      this.stored = (await ctx.storage.get<Spent>("spent")) ?? {};
    });
  }

  /** Each period's spending, a period that has ended counting as zero. */
  #read(now: number): Spent {
    const spent = {} as Spent;
    for (const period of PERIODS) {
      const { start, end } = periodBounds(period, now);
      const row = this.stored[period];
      spent[period] = row && row.start === start ? { ...row, end } : { start, end, pico: 0, tokens: 0, inputs: 0 };
    }
    return spent;
  }

  /**
   * Keeps the new spending and stores it (one value, one row written) within PERSIST_MS. A write
   * holds back every answer the object sends until it is confirmed (the output gate), which is the
   * bulk of a budget check's latency when every reservation writes; written a moment later, answers
   * go out at once and a busy subject's reservations share one write. A restart in that moment
   * forgets at most its reservations.
   */
  #write(spent: Spent): void {
    this.stored = spent;
    this.#persisting ??= setTimeout(() => {
      this.#persisting = undefined;
      void this.ctx.storage.put("spent", this.stored);
    }, PERSIST_MS);
  }

  /**
   * Reserves `estimate` under every limit, or refuses when any would be passed: the subject's spent
   * plus reservations plus this estimate must stay within each limit. It awaits nothing, so
   * concurrent requests of the subject are reserved strictly one after another.
   */
  async reserve(limits: readonly Limit[], estimate: Amounts): Promise<Reservation> {
    const spent = this.#read(Date.now());
    let remaining: Remaining | undefined;
    let tightest = Number.POSITIVE_INFINITY;
    for (const limit of limits) {
      const row = spent[limit.period];
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
    // Every period counts the reservation, ruled or not, so a rule added later starts from the truth.
    const starts: Partial<Record<Period, number>> = {};
    for (const period of PERIODS) {
      for (const unit of UNITS) spent[period][unit] += estimate[unit];
      starts[period] = spent[period].start;
    }
    this.#write(spent);
    return { ok: true, starts, remaining };
  }

  /** Replaces a reservation by the real figure: adds `delta` (real minus estimate) to the periods still current. */
  async settle(starts: Partial<Record<Period, number>>, delta: Amounts): Promise<void> {
    const spent = this.#read(Date.now());
    let changed = false;
    for (const period of PERIODS) {
      if (spent[period].start !== starts[period]) continue;
      for (const unit of UNITS) spent[period][unit] = Math.max(0, spent[period][unit] + delta[unit]);
      changed = true;
    }
    if (changed) this.#write(spent);
  }

  /** What the subject has spent in each current period. */
  async spent(): Promise<Spent> {
    return this.#read(Date.now());
  }
}

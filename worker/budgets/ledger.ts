import { DurableObject } from "cloudflare:workers";
import { PERIODS, type Period, periodBounds } from "./rules";

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
 * instead of queueing them all on one. Its one row holds what was spent in the current UTC minute,
 * day and month; a request reserves its estimate here before going upstream and settles the
 * difference once its real figure is known.
 */
export class BudgetLedger extends DurableObject {
  /** Each period's spending as stored, a period that has ended counting as zero. */
  async #read(now: number): Promise<Spent> {
    const stored = (await this.ctx.storage.get<Spent>("spent")) ?? ({} as Partial<Spent>);
    const spent = {} as Spent;
    for (const period of PERIODS) {
      const { start, end } = periodBounds(period, now);
      const row = stored[period];
      spent[period] = row && row.start === start ? { ...row, end } : { start, end, pico: 0, tokens: 0, inputs: 0 };
    }
    return spent;
  }

  /**
   * Stores the spending as one value (one row written). `allowUnconfirmed`: the answer goes out
   * before the write is durable instead of waiting for it (milliseconds, the whole of a budget
   * check's latency otherwise); the write still lands in order, and if it never did, the object
   * would restart from its last durable state, forgetting at most the reservations of that moment.
   */
  #write(spent: Spent): void {
    void this.ctx.storage.put("spent", spent, { allowUnconfirmed: true });
  }

  /**
   * Reserves `estimate` under every limit, or refuses when any would be passed: the subject's spent
   * plus reservations plus this estimate must stay within each limit. Nothing else runs in the
   * object between its read and its write (the input gate), so concurrent requests of the subject
   * are reserved strictly one after another.
   */
  async reserve(limits: readonly Limit[], estimate: Amounts): Promise<Reservation> {
    const spent = await this.#read(Date.now());
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
    const spent = await this.#read(Date.now());
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

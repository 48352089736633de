/** What one row of usage counts: every field a sum, money in pico-dollars (see money.ts). */
export interface UsageCounts {
  num_requests: number;
  inputs: number;
  memory_hits: number;
  store_hits: number;
  upstream_inputs: number;
  input_tokens: number;
  /** The part of `input_tokens` estimated at 4 characters a token (the provider reported none). */
  estimated_tokens: number;
  cost_pico: number;
  saved_pico: number;
}

/** The dimensions a row is kept by; `minute` is the minute's start in unix seconds. */
export interface UsageKey {
  minute: number;
  subject: string;
  model: string;
  provider: string;
  operation: string;
}

export type UsageRow = UsageKey & UsageCounts;

export const COUNT_FIELDS = [
  "num_requests",
  "inputs",
  "memory_hits",
  "store_hits",
  "upstream_inputs",
  "input_tokens",
  "estimated_tokens",
  "cost_pico",
  "saved_pico",
] as const satisfies ReadonlyArray<keyof UsageCounts>;

export const zeroCounts = (): UsageCounts => ({
  num_requests: 0,
  inputs: 0,
  memory_hits: 0,
  store_hits: 0,
  upstream_inputs: 0,
  input_tokens: 0,
  estimated_tokens: 0,
  cost_pico: 0,
  saved_pico: 0,
});

/** The minute (unix seconds) a millisecond timestamp falls in. */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60;

/**
 * Sums usage in memory, one row per (minute, subject, model, provider, operation), until `drain`
 * hands the rows over for a flush. Pure: no timers, no I/O; the caller decides when to drain and
 * puts rows back (`merge`) when a flush fails, so nothing counted is lost or counted twice.
 */
export class UsageAggregator {
  #rows = new Map<string, UsageRow>();

  /** Adds `counts` to the row of `key`. */
  add(key: UsageKey, counts: Partial<UsageCounts>): void {
    const id = `${key.minute}\u0000${key.subject}\u0000${key.model}\u0000${key.provider}\u0000${key.operation}`;
    let row = this.#rows.get(id);
    if (!row) {
      row = { ...key, ...zeroCounts() };
      this.#rows.set(id, row);
    }
    for (const field of COUNT_FIELDS) {
      const value = counts[field];
      if (value) row[field] += value;
    }
  }

  /** Rows put back after a failed flush, added to whatever was counted meanwhile. */
  merge(rows: readonly UsageRow[]): void {
    for (const row of rows) this.add(row, row);
  }

  /** Every row counted since the last drain; the aggregator starts empty again. */
  drain(): UsageRow[] {
    const rows = [...this.#rows.values()];
    this.#rows = new Map();
    return rows;
  }

  get size(): number {
    return this.#rows.size;
  }
}

import { DurableObject } from "cloudflare:workers";
import { COUNT_FIELDS, type UsageRow } from "../meter/aggregator";
import type { GroupField } from "../schemas/usage";

/** Row widths in seconds: each flushed minute row is also added to its hour and its day. */
export const WIDTHS = { "1m": 60, "1h": 3600, "1d": 86_400 } as const;
export type BucketWidth = keyof typeof WIDTHS;

export interface UsageQuery {
  width: BucketWidth;
  /** Unix seconds, aligned to the width; `end` is exclusive. */
  start: number;
  end: number;
  groupBy: GroupField[];
  subject?: string;
  model?: string;
  /** Most buckets returned. */
  limit: number;
}

/** One group's sums in one bucket; money as whole micro-dollars plus the pico-dollar remainder (exact past 2^53). */
export type LedgerResult = Partial<Record<GroupField, string>> &
  Record<(typeof SUMMED)[number], number> & {
    cost_micro: number;
    cost_rest: number;
    saved_micro: number;
    saved_rest: number;
  };

export interface LedgerBucket {
  start: number;
  results: LedgerResult[];
}

const SUMMED = ["num_requests", "inputs", "memory_hits", "store_hits", "upstream_inputs", "input_tokens", "estimated_tokens"] as const;
const HOUR_MS = 3_600_000;
/** Flush ids are remembered this long, so a retried flush is never counted twice. */
const FLUSH_ID_TTL_MS = 24 * HOUR_MS;

/**
 * The usage ledger: one SQLite Durable Object for the whole gateway (named "global"). Isolates flush
 * their in-memory sums here at most every USAGE_FLUSH_MS, so its write rate grows with isolates, not
 * requests, which one object handles with room to spare; one object also makes every query a single
 * read. Each flush upserts the minute, hour and day row of every key (rolled up as it is written, so
 * an hourly or daily query reads 60 or 1,440 times fewer rows); an hourly alarm drops rows older
 * than USAGE_RETENTION_DAYS.
 */
export class UsageLedger extends DurableObject {
  #sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS usage (
      width INTEGER NOT NULL, start INTEGER NOT NULL, subject TEXT NOT NULL, model TEXT NOT NULL,
      provider TEXT NOT NULL, operation TEXT NOT NULL,
      ${COUNT_FIELDS.map((f) => `${f} INTEGER NOT NULL DEFAULT 0`).join(", ")},
      PRIMARY KEY (width, start, subject, model, provider, operation))`);
    this.#sql.exec("CREATE TABLE IF NOT EXISTS flushes (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  }

  /**
   * Adds one isolate's flushed rows, once per flush id (a flush retried after a lost answer is
   * skipped). Returns whether the rows were new.
   */
  async record(flushId: string, rows: readonly UsageRow[], retentionDays: number): Promise<boolean> {
    const now = Date.now();
    const fresh = this.ctx.storage.transactionSync(() => {
      if (this.#sql.exec("SELECT 1 FROM flushes WHERE id = ?", flushId).toArray().length) return false;
      this.#sql.exec("INSERT INTO flushes (id, at) VALUES (?, ?)", flushId, now);
      // Written only when it changes: a row write costs a thousand times a row read.
      this.#sql.exec(
        "INSERT INTO settings (name, value) VALUES ('retention_days', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE value <> excluded.value",
        retentionDays,
      );
      const sets = COUNT_FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(", ");
      const statement = `INSERT INTO usage (width, start, subject, model, provider, operation, ${COUNT_FIELDS.join(", ")})
        VALUES (?, ?, ?, ?, ?, ?, ${COUNT_FIELDS.map(() => "?").join(", ")})
        ON CONFLICT (width, start, subject, model, provider, operation) DO UPDATE SET ${sets}`;
      for (const row of rows) {
        for (const width of Object.values(WIDTHS)) {
          const start = Math.floor(row.minute / width) * width;
          this.#sql.exec(statement, width, start, row.subject, row.model, row.provider, row.operation, ...COUNT_FIELDS.map((f) => row[f]));
        }
      }
      return true;
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + HOUR_MS);
    return fresh;
  }

  /** Buckets of `query.width` with any requests in [start, end), oldest first, at most `limit`, and whether more follow. */
  async query(query: UsageQuery): Promise<{ buckets: LedgerBucket[]; nextStart: number | null }> {
    const width = WIDTHS[query.width];
    const filters = ["width = ?", "start >= ?", "start < ?"];
    const params: Array<string | number> = [width, query.start, query.end];
    if (query.subject !== undefined) {
      filters.push("subject = ?");
      params.push(query.subject);
    }
    if (query.model !== undefined) {
      filters.push("model = ?");
      params.push(query.model);
    }
    const where = filters.join(" AND ");
    const starts = this.#sql
      .exec<{ start: number }>(`SELECT DISTINCT start FROM usage WHERE ${where} ORDER BY start LIMIT ?`, ...params, query.limit + 1)
      .toArray()
      .map((r) => r.start);
    if (starts.length === 0) return { buckets: [], nextStart: null };
    const nextStart = starts.length > query.limit ? starts[query.limit] : null;
    const last = starts[Math.min(starts.length, query.limit) - 1];
    params[2] = last + 1;
    const groups = query.groupBy.join(", ");
    const rows = this.#sql
      .exec<LedgerResult & { start: number }>(
        `SELECT start${groups ? `, ${groups}` : ""}, ${SUMMED.map((f) => `SUM(${f}) AS ${f}`).join(", ")},
          SUM(cost_pico) / 1000000 AS cost_micro, SUM(cost_pico) % 1000000 AS cost_rest,
          SUM(saved_pico) / 1000000 AS saved_micro, SUM(saved_pico) % 1000000 AS saved_rest
         FROM usage WHERE ${where} GROUP BY start${groups ? `, ${groups}` : ""} ORDER BY start${groups ? `, ${groups}` : ""}`,
        ...params,
      )
      .toArray();
    const buckets: LedgerBucket[] = [];
    let bucket: LedgerBucket | undefined;
    for (const { start, ...result } of rows) {
      if (bucket?.start !== start) {
        bucket = { start, results: [] };
        buckets.push(bucket);
      }
      bucket.results.push(result as LedgerResult);
    }
    return { buckets, nextStart };
  }

  /** Drops rows past the retention, and flush ids past a day; runs hourly while there is anything to keep. */
  async alarm(): Promise<void> {
    const now = Date.now();
    const days = this.#sql.exec<{ value: number }>("SELECT value FROM settings WHERE name = 'retention_days'").toArray()[0]?.value ?? 90;
    // `width IN (...)` lets the primary key find the old rows instead of scanning the table.
    this.#sql.exec("DELETE FROM usage WHERE width IN (60, 3600, 86400) AND start < ?", Math.floor(now / 1000) - days * 86_400);
    this.#sql.exec("DELETE FROM flushes WHERE at < ?", now - FLUSH_ID_TTL_MS);
    const left =
      this.#sql.exec("SELECT 1 FROM usage LIMIT 1").toArray().length + this.#sql.exec("SELECT 1 FROM flushes LIMIT 1").toArray().length;
    if (left > 0) await this.ctx.storage.setAlarm(now + HOUR_MS);
  }
}

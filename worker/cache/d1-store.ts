import { type CacheStore, chunks } from "./store";

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;
/** One purge of expired rows per this many write batches, on average (a purge scans the table). */
const PURGE_ONE_IN = 100;
const PURGE_ROWS = 1000;

const SCHEMA = "CREATE TABLE IF NOT EXISTS ee_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID";

/**
 * D1 (SQLite) as the store: one row per item keyed by cache key, with an expiry column. Reads ignore
 * expired rows; writes upsert; now and then a write also purges expired rows. D1 bills rows (reads
 * $0.001 and writes $1 per million) where KV bills operations ($0.50 and $5), so a miss costs a fifth.
 * The table is created on first use in each isolate (`IF NOT EXISTS` costs no row).
 */
export function d1Store(db: D1Database, random = Math.random): CacheStore {
  let ready: Promise<unknown> | undefined;
  const ensureTable = () => {
    ready ??= db.exec(SCHEMA).catch((err) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
  return {
    kind: "d1",
    // One batch of multi-row upserts per write, whatever its size.
    maxWritesPerRequest: Number.POSITIVE_INFINITY,
    async getMany(keys) {
      await ensureTable();
      const now = Date.now();
      const statements = chunks(keys, MAX_PARAMS - 1).map((part) =>
        db.prepare(`SELECT key, value FROM ee_cache WHERE key IN (${part.map(() => "?").join(",")}) AND expires_at > ?`).bind(...part, now),
      );
      const results = await db.batch<{ key: string; value: string }>(statements);
      const found = new Map<string, string>();
      for (const result of results) for (const row of result.results) found.set(row.key, row.value);
      return found;
    },
    async putMany(entries, ttlSeconds) {
      // As KV: writing nothing is nothing (D1 refuses an empty batch).
      if (entries.length === 0) return;
      await ensureTable();
      const expiresAt = Date.now() + ttlSeconds * 1000;
      const statements = chunks(entries, Math.floor(MAX_PARAMS / 3)).map((part) =>
        db
          .prepare(
            `INSERT INTO ee_cache (key, value, expires_at) VALUES ${part.map(() => "(?, ?, ?)").join(",")} ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
          )
          .bind(...part.flatMap(([key, value]) => [key, value, expiresAt])),
      );
      if (random() * PURGE_ONE_IN < 1) {
        statements.push(
          db
            .prepare(`DELETE FROM ee_cache WHERE key IN (SELECT key FROM ee_cache WHERE expires_at <= ? LIMIT ${PURGE_ROWS})`)
            .bind(Date.now()),
        );
      }
      await db.batch(statements);
    },
  };
}

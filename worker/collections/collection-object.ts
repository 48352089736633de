// One Durable Object per collection, with SQLite storage: the collection's spec, and its records
// (id, text, metadata, text hash and, in the Durable Object store, the vector as a float32 BLOB).
// The vectors are also kept in memory (loaded on first use, kept in step with each write) for an
// exact scan. Every call runs alone: the object serialises concurrent writers.
import { DurableObject } from "cloudflare:workers";
import { chunks } from "../cache/store";
import { matches } from "./filter";
import type { CollectionInfo, CollectionSpec, FilterNode, Match, Metadata, PriorRecord, StoreKind } from "./types";
import { candidatesFor, FULL_PRECISION_BYTES, rescore, VectorIndex } from "./vector-index";

/** What the object stores of a record, as written by the worker (vector absent in the Vectorize store). */
export interface RecordRow {
  id: string;
  text: string;
  /** Canonical JSON, "" when none. */
  metadata: string;
  hash: string;
  vector?: Float32Array;
  /** The record's Vectorize id (Vectorize store only). */
  vid?: string;
}

export interface ObjectQuery {
  topK: number;
  filter: FilterNode | undefined;
}

/** The answer to a call made with a spec that is no longer the collection's (deleted, or re-created). */
export type Stale = { stale: true };

const stale: Stale = { stale: true };
/** SQLite takes at most 100 bound parameters per statement. */
const IN_CHUNK = 90;
const ROWS_PER_INSERT = 16;

const parseMetadata = (json: string): Metadata | undefined => (json === "" ? undefined : (JSON.parse(json) as Metadata));

export class CollectionObject extends DurableObject {
  private readonly sql: SqlStorage;
  private spec: CollectionSpec | null | undefined;
  private index: VectorIndex | undefined;
  /** Parsed metadata by vector slot, mirroring the index's moves. */
  private metadata: Array<Metadata | undefined> = [];
  /** Float32 budget before int8 codes (a field so tests can exercise the int8 path on small collections). */
  fullPrecisionBytes = FULL_PRECISION_BYTES;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.createTables();
  }

  private createTables(): void {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS spec (one INTEGER PRIMARY KEY CHECK (one = 1), json TEXT NOT NULL, store TEXT NOT NULL, count INTEGER NOT NULL)`,
    );
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, text TEXT NOT NULL, metadata TEXT NOT NULL, hash TEXT NOT NULL, vector BLOB, vid TEXT)`,
    );
    this.sql.exec("CREATE INDEX IF NOT EXISTS records_vid ON records (vid) WHERE vid IS NOT NULL");
  }

  private currentSpec(): CollectionSpec | null {
    if (this.spec === undefined) {
      const row = this.sql.exec<{ json: string }>("SELECT json FROM spec").toArray()[0];
      this.spec = row ? (JSON.parse(row.json) as CollectionSpec) : null;
    }
    return this.spec;
  }

  private count(): number {
    return this.sql.exec<{ count: number }>("SELECT count FROM spec").one().count;
  }

  private store(): StoreKind {
    return this.sql.exec<{ store: StoreKind }>("SELECT store FROM spec").one().store;
  }

  /** Creates the collection, or answers the spec it already has (the caller compares). */
  create(spec: CollectionSpec & { uid: string }, store: StoreKind): { spec: CollectionSpec; created: boolean } {
    const existing = this.currentSpec();
    if (existing) return { spec: existing, created: false };
    this.sql.exec("INSERT INTO spec (one, json, store, count) VALUES (1, ?, ?, 0)", JSON.stringify(spec), store);
    this.spec = spec;
    return { spec, created: true };
  }

  info(): CollectionInfo | null {
    const spec = this.currentSpec();
    return spec ? { ...spec, count: this.count(), store: this.store() } : null;
  }

  /** Deletes the collection and its records; answers the ids it held (the Vectorize store deletes their vectors). */
  drop(): string[] {
    if (!this.currentSpec()) return [];
    const ids = this.sql
      .exec<{ id: string }>("SELECT id FROM records")
      .toArray()
      .map((r) => r.id);
    this.sql.exec("DROP TABLE records");
    this.sql.exec("DROP TABLE spec");
    this.createTables();
    this.spec = null;
    this.index = undefined;
    this.metadata = [];
    return ids;
  }

  private checked(uid: string): CollectionSpec | undefined {
    const spec = this.currentSpec() as (CollectionSpec & { uid: string }) | null;
    return spec && spec.uid === uid ? spec : undefined;
  }

  /** The stored hash and metadata of each id, null for ids not stored. */
  prior(uid: string, ids: string[]): Array<PriorRecord | null> | Stale {
    if (!this.checked(uid)) return stale;
    const known = new Map<string, PriorRecord>();
    for (const row of this.rowsWhereIn<{ id: string; hash: string; metadata: string }>("id, hash, metadata", "id", ids))
      known.set(row.id, { hash: row.hash, metadata: row.metadata });
    return ids.map((id) => known.get(id) ?? null);
  }

  /** Upserts the rows in one transaction: all are stored or none. Answers the new count. */
  write(uid: string, rows: RecordRow[]): { count: number } | Stale {
    const spec = this.checked(uid);
    if (!spec) return stale;
    const ids = rows.map((row) => row.id);
    this.ctx.storage.transactionSync(() => {
      // New ids, found in chunks (one statement per 90 ids rather than one per row).
      let added = ids.length;
      for (const row of this.rowsWhereIn<{ n: number }>("COUNT(*) AS n", "id", ids)) added -= row.n;
      // Sixteen rows a statement (6 parameters each, under SQLite's 100): one statement per row made
      // the statements' own overhead a large share of a 2,048-record upsert.
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        this.sql.exec(
          `INSERT INTO records (id, text, metadata, hash, vector, vid) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT (id) DO UPDATE SET text = excluded.text, metadata = excluded.metadata, hash = excluded.hash, vector = COALESCE(excluded.vector, records.vector), vid = excluded.vid`,
          ...chunk.flatMap((row) => [
            row.id,
            row.text,
            row.metadata,
            row.hash,
            row.vector ? new Uint8Array(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength) : null,
            row.vid ?? null,
          ]),
        );
      }
      this.sql.exec("UPDATE spec SET count = count + ?", added);
    });
    if (this.index) {
      for (const row of rows) {
        // A row without a vector changed only its metadata: its vector stays where it is.
        const slot = row.vector ? this.index.set(row.id, row.vector) : this.index.slotOf(row.id);
        if (slot !== undefined) this.metadata[slot] = parseMetadata(row.metadata);
      }
    }
    return { count: this.count() };
  }

  /** Each id's record, null when not stored. */
  get(uid: string, ids: string[]): Array<{ id: string; text: string; metadata: Metadata | undefined } | null> | Stale {
    if (!this.checked(uid)) return stale;
    const found = new Map<string, { id: string; text: string; metadata: Metadata | undefined }>();
    for (const row of this.rowsWhereIn<{ id: string; text: string; metadata: string }>("id, text, metadata", "id", ids))
      found.set(row.id, { id: row.id, text: row.text, metadata: parseMetadata(row.metadata) });
    return ids.map((id) => found.get(id) ?? null);
  }

  /** The record ids of Vectorize ids, null for ids no longer stored (deleted since Vectorize indexed them). */
  idsOf(uid: string, vids: string[]): Array<string | null> | Stale {
    if (!this.checked(uid)) return stale;
    const found = new Map<string, string>();
    for (const row of this.rowsWhereIn<{ id: string; vid: string }>("id, vid", "vid", vids)) found.set(row.vid, row.id);
    return vids.map((vid) => found.get(vid) ?? null);
  }

  /** Deletes the ids; answers the ones that were stored. */
  remove(uid: string, ids: string[]): { deleted: string[]; count: number } | Stale {
    if (!this.checked(uid)) return stale;
    const deleted: string[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const id of new Set(ids)) {
        const gone = this.sql.exec("DELETE FROM records WHERE id = ?", id).rowsWritten;
        if (gone > 0) deleted.push(id);
      }
      this.sql.exec("UPDATE spec SET count = count - ?", deleted.length);
    });
    if (this.index) {
      for (const id of deleted) {
        const move = this.index.delete(id);
        if (!move) continue;
        this.metadata[move.removed] = this.metadata[move.moved];
        this.metadata.pop();
      }
    }
    return { deleted, count: this.count() };
  }

  /** What the object holds in memory (for the bench and operators): records, index bytes, int8 or not. */
  stats(): { count: number; indexBytes: number; quantized: boolean; loaded: boolean } {
    const spec = this.currentSpec();
    return {
      count: spec ? this.count() : 0,
      indexBytes: this.index?.bytes ?? 0,
      quantized: this.index?.quantized ?? false,
      loaded: this.index !== undefined,
    };
  }

  /** The vectors, read from SQLite into one buffer on first use. */
  private loaded(spec: CollectionSpec): VectorIndex {
    if (this.index) return this.index;
    const index = new VectorIndex(spec.dimensions, spec.metric, Math.max(64, this.count()), this.fullPrecisionBytes);
    const metadata: Array<Metadata | undefined> = [];
    for (const row of this.sql.exec<{ id: string; metadata: string; vector: ArrayBuffer }>("SELECT id, metadata, vector FROM records")) {
      const slot = index.set(row.id, new Float32Array(row.vector));
      metadata[slot] = parseMetadata(row.metadata);
    }
    this.index = index;
    this.metadata = metadata;
    return index;
  }

  /** Exact search over the stored vectors (`vector` already normalised for cosine collections). */
  query(uid: string, vector: Float32Array, options: ObjectQuery): { matches: Match[] } | Stale {
    const spec = this.checked(uid);
    if (!spec) return stale;
    const index = this.loaded(spec);
    const filter = options.filter;
    const accept = filter ? (slot: number) => matches(filter, this.metadata[slot]) : undefined;
    if (!index.quantized) {
      const hits = index.search(vector, options.topK, accept);
      return { matches: hits.map(({ position, score }) => ({ id: index.ids[position], score })) };
    }
    // int8 candidates, rescored exactly from the float32 vectors in SQLite.
    const ids = index.search(vector, candidatesFor(options.topK), accept).map(({ position }) => index.ids[position]);
    return { matches: rescore(spec.metric, vector, this.vectorsOf(ids), options.topK) };
  }

  /** The stored float32 vectors of `ids`, in that order. */
  private vectorsOf(ids: string[]): Array<{ id: string; vector: Float32Array }> {
    const found = new Map<string, Float32Array>();
    for (const row of this.rowsWhereIn<{ id: string; vector: ArrayBuffer }>("id, vector", "id", ids))
      found.set(row.id, new Float32Array(row.vector));
    return ids.flatMap((id) => {
      const vector = found.get(id);
      return vector ? [{ id, vector }] : [];
    });
  }

  /**
   * The rows `SELECT <columns> FROM records WHERE <key> IN (...)` yields for many keys, asked in chunks
   * of IN_CHUNK (a statement binds at most 100 parameters).
   */
  private *rowsWhereIn<T extends Record<string, SqlStorageValue>>(
    columns: string,
    key: "id" | "vid",
    keys: readonly string[],
  ): Generator<T> {
    for (const chunk of chunks(keys, IN_CHUNK)) {
      yield* this.sql.exec<T>(`SELECT ${columns} FROM records WHERE ${key} IN (${chunk.map(() => "?").join(",")})`, ...chunk);
    }
  }
}

// Where a collection's records live, behind one interface: the Durable Object store (records and
// vectors in the collection's object) and the Vectorize store (vectors in Vectorize, the record
// ledger in the collection's object). Both pass test/worker/collections-contract.test.ts.
import { ApiError } from "../errors";
import type { CollectionObject, RecordRow, Stale } from "./collection-object";
import type { CollectionSpec, FilterNode, Metadata, PriorRecord, StoreKind } from "./types";

/** A spec as the store checks it: `uid` tells a re-created collection from the one it replaced. */
export type StoredSpec = CollectionSpec & { uid: string };

export interface RecordStore {
  readonly kind: StoreKind;
  prior(spec: StoredSpec, ids: string[]): Promise<Array<PriorRecord | null>>;
  /** Stores every row or none; a row without a vector keeps the one stored. */
  write(spec: StoredSpec, rows: RecordRow[]): Promise<void>;
  get(spec: StoredSpec, ids: string[]): Promise<Array<{ id: string; text: string; metadata: Metadata | undefined } | null>>;
  /** Answers the ids that were stored. */
  remove(spec: StoredSpec, ids: string[]): Promise<string[]>;
  /** Deletes every record of the collection (the spec's object is dropped by the caller). */
  drop(spec: StoredSpec, ids: string[]): Promise<void>;
  /** Refuses a filter the store cannot apply (before anything is embedded). */
  checkFilter?(filter: FilterNode | undefined): void;
  /** The `topK` best ids for `vector` (normalised for cosine) among records passing `filter`, best first. */
  query(
    spec: StoredSpec,
    vector: Float32Array,
    topK: number,
    filter: FilterNode | undefined,
  ): Promise<Array<{ id: string; score: number }>>;
}

/** Thrown when the collection changed under a call (deleted or re-created); the caller reloads its spec once. */
export class StaleSpec extends Error {}

export function unstale<T>(answer: T): Exclude<T, Stale> {
  if (answer && typeof answer === "object" && (answer as unknown as Stale).stale === true) throw new StaleSpec("stale");
  return answer as Exclude<T, Stale>;
}

export type CollectionStub = DurableObjectStub<CollectionObject>;

/** A Durable Object call that failed (the object reset, storage refused): a 503 the client may retry. */
export function storeUnavailable(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(503, "collection_store_unavailable", "The collection store is briefly unavailable; retry.", {
    headers: { "Retry-After": "1" },
    cause: err,
  });
}

/** A call to a collection's object, its failure a 503 (a stale answer still comes back, for `unstale`). */
export async function rpc<R>(work: () => R): Promise<Awaited<R>> {
  try {
    return await work();
  } catch (err) {
    throw storeUnavailable(err);
  }
}

/** Most bytes one write call carries: Durable Object RPC messages stop at 32 MiB. */
const WRITE_CALL_BYTES = 16 << 20;

/** Rows in runs of at most WRITE_CALL_BYTES (a request's usually fit one: 2,048 x 1024 dims is 8 MB). */
export function writeRuns(rows: RecordRow[]): RecordRow[][] {
  const runs: RecordRow[][] = [];
  let run: RecordRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = (row.vector?.byteLength ?? 0) + row.text.length * 3 + row.metadata.length + 256;
    if (run.length > 0 && bytes + size > WRITE_CALL_BYTES) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(row);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Writes the rows, each run in one transaction. One run (the usual case) is all or nothing; when a
 * later run fails, the error says how many records were stored (resending costs only the rest).
 */
export async function writeAll(stub: CollectionStub, uid: string, rows: RecordRow[]): Promise<void> {
  let stored = 0;
  for (const run of writeRuns(rows)) {
    try {
      unstale(await rpc(() => stub.write(uid, run)));
    } catch (err) {
      if (stored === 0) throw err;
      throw new ApiError(
        503,
        "collection_write_partial",
        `The store failed after ${stored} of ${rows.length} records were written; resend the request (the stored ones come back unchanged).`,
        { headers: { "Retry-After": "1" }, cause: err },
      );
    }
    stored += run.length;
  }
}

/** The default store: everything in the collection's Durable Object, searched exactly in memory. */
export function objectStore(stub: CollectionStub): RecordStore {
  return {
    kind: "durable-object",
    prior: async (spec, ids) => unstale(await rpc(() => stub.prior(spec.uid, ids))),
    write: (spec, rows) => writeAll(stub, spec.uid, rows),
    get: async (spec, ids) => unstale(await rpc(() => stub.get(spec.uid, ids))),
    remove: async (spec, ids) => unstale(await rpc(() => stub.remove(spec.uid, ids))).deleted,
    async drop() {},
    async query(spec, vector, topK, filter) {
      return unstale(await rpc(() => stub.query(spec.uid, vector, { topK, filter }))).matches;
    },
  };
}

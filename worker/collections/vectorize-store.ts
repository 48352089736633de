// The Vectorize store: vectors (with the metadata Vectorize filters on) in a Vectorize index, one
// namespace per collection; the record ledger (id, text, metadata, hash) stays in the collection's
// Durable Object, which answers reads, counts and "unchanged" checks and lists the ids to delete.
// Vectorize ids are global to the index, so a record's vector id is a hash of (collection, id).
import { ApiError, invalidParam } from "../errors";
import type { RecordRow } from "./collection-object";
import { type CollectionStub, type RecordStore, rpc, type StoredSpec, unstale, writeAll } from "./record-store";
import type { FilterNode, Metadata } from "./types";

const encoder = new TextEncoder();
/** Vectorize takes at most 1,000 vectors per upsert or delete call. */
const MUTATION_BATCH = 1000;
/** Vectorize's most results per query when values and metadata are not returned. */
export const VECTORIZE_MAX_TOP_K = 100;

/** A record's Vectorize id: base64url of SHA-256 of (collection uid, record id), 43 characters (the limit is 64 bytes). */
export async function vectorId(uid: string, id: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`${uid}\u0000${id}`)));
  return (digest as Uint8Array & { toBase64(o?: { alphabet: string; omitPadding: boolean }): string }).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/** A parsed filter in Vectorize's own language; `or` has no Vectorize form. */
export function toVectorizeFilter(node: FilterNode | undefined): VectorizeVectorMetadataFilter | undefined {
  if (!node) return undefined;
  const leaves = node.op === "and" ? node.children : [node];
  const filter: Record<string, Record<string, unknown>> = {};
  for (const leaf of leaves) {
    if (!("field" in leaf))
      throw invalidParam("filter", "The Vectorize store filters with AND only; an 'or' filter needs the durable-object store.");
    filter[leaf.field] ??= {};
    filter[leaf.field][leaf.op] = leaf.value;
  }
  return filter as VectorizeVectorMetadataFilter;
}

const vectorizeFailed = (err: unknown) =>
  new ApiError(502, "vectorize_failed", "The Vectorize index refused or failed the call; nothing of this call was stored.", { cause: err });

export function vectorizeStore(stub: CollectionStub, index: Vectorize): RecordStore {
  return {
    kind: "vectorize",
    prior: async (spec, ids) => unstale(await rpc(() => stub.prior(spec.uid, ids))),
    // Vectors first, then the ledger: a ledger row always has its vector, and a failure between the
    // two leaves only a vector whose ledger row says "changed", rewritten by the next upsert.
    async write(spec: StoredSpec, rows: RecordRow[]) {
      const vectors: VectorizeVector[] = [];
      for (const row of rows) {
        const vid = await vectorId(spec.uid, row.id);
        row.vid = vid;
        if (!row.vector) continue;
        const metadata = row.metadata === "" ? undefined : (JSON.parse(row.metadata) as Metadata);
        vectors.push({ id: vid, values: row.vector, namespace: spec.uid, ...(metadata ? { metadata } : {}) });
      }
      try {
        for (let i = 0; i < vectors.length; i += MUTATION_BATCH) await index.upsert(vectors.slice(i, i + MUTATION_BATCH));
      } catch (err) {
        throw vectorizeFailed(err);
      }
      await writeAll(
        stub,
        spec.uid,
        rows.map(({ vector: _, ...ledger }) => ledger),
      );
    },
    get: async (spec, ids) => unstale(await rpc(() => stub.get(spec.uid, ids))),
    async remove(spec, ids) {
      const { deleted } = unstale(await rpc(() => stub.remove(spec.uid, ids)));
      await deleteVectors(index, spec.uid, deleted);
      return deleted;
    },
    async drop(spec, ids) {
      await deleteVectors(index, spec.uid, ids);
    },
    checkFilter(filter) {
      toVectorizeFilter(filter);
    },
    async query(spec, vector, topK, filter) {
      const vectorizeFilter = toVectorizeFilter(filter);
      let found: VectorizeMatches;
      try {
        found = await index.query(vector, {
          topK: Math.min(topK, VECTORIZE_MAX_TOP_K),
          namespace: spec.uid,
          returnValues: false,
          returnMetadata: "none",
          filter: vectorizeFilter,
        });
      } catch (err) {
        throw new ApiError(502, "vectorize_failed", "The Vectorize index failed the query.", { cause: err });
      }
      const ids = unstale(
        await stub.idsOf(
          spec.uid,
          found.matches.map((m) => m.id),
        ),
      );
      const hits: Array<{ id: string; score: number }> = [];
      found.matches.forEach((m, i) => {
        if (ids[i] !== null) hits.push({ id: ids[i], score: m.score });
      });
      return hits;
    },
  };
}

async function deleteVectors(index: Vectorize, uid: string, ids: string[]): Promise<void> {
  const vids = await Promise.all(ids.map((id) => vectorId(uid, id)));
  for (let i = 0; i < vids.length; i += MUTATION_BATCH) await index.deleteByIds(vids.slice(i, i + MUTATION_BATCH));
}

// Upserting, reading and deleting records. Texts are embedded through the gateway's item cache
// (the same one as /v1/embeddings), and a record whose text and metadata are unchanged costs nothing.
import { requireModel } from "../catalogue/resolve";
import { base64ToFloats, shortenVector } from "../codec/vector-base64";
import { NO_USAGE, type Usage } from "../common/token-usage";
import { ApiError } from "../errors";
import { requireHeldValues } from "../schemas/over-limit";
import type { RecordRow } from "./collection-object";
import { type CollectionsContext, recordStore } from "./context";
import { StaleSpec } from "./record-store";
import { forgetSpec, notFound, type StoredInfo, specOf } from "./specs";
import { textHash } from "./text-hash";
import type { Metadata } from "./types";
import { normalize } from "./vector-index";

export interface RecordInput {
  id: string;
  text: string;
  metadata?: Metadata;
}

export interface UpsertResult {
  upserted: number;
  unchanged: number;
  embedded: number;
  usage: Usage;
}

/** Metadata as canonical JSON (keys sorted), so equal metadata compares equal whatever the key order. */
export function canonicalMetadata(metadata: Metadata | undefined): string {
  if (!metadata) return "";
  const keys = Object.keys(metadata).sort();
  if (keys.length === 0) return "";
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, metadata[k]])));
}

/** A vector as the collection stores it: shortened to its size (matryoshka) and unit length for cosine. */
export function collectionVector(spec: StoredInfo, base64: string, native: number): Float32Array {
  const vector = spec.dimensions < native ? shortenVector(base64, spec.dimensions) : base64ToFloats(base64)!.slice();
  return spec.metric === "cosine" ? normalize(vector) : vector;
}

/** Runs `work` with the collection's spec, reloading it once if the collection changed under the cached one. */
export async function withSpec<T>(cx: CollectionsContext, name: string, work: (spec: StoredInfo) => Promise<T>): Promise<T> {
  try {
    return await work(await specOf(cx, name));
  } catch (err) {
    if (!(err instanceof StaleSpec)) throw err;
    forgetSpec(cx, name);
    try {
      return await work(await specOf(cx, name, true));
    } catch (again) {
      if (again instanceof StaleSpec) throw notFound(name);
      throw again;
    }
  }
}

/** Upserts by id (the last of repeated ids wins): unchanged records are skipped, changed texts embedded, all stored in one write. */
export function upsertRecords(cx: CollectionsContext, name: string, input: readonly RecordInput[]): Promise<UpsertResult> {
  const byId = new Map<string, RecordInput>();
  for (const record of input) byId.set(record.id, record);
  const records = [...byId.values()];
  return withSpec(cx, name, async (spec) => {
    const model = requireModel(cx.gateway, spec.model, "embedding");
    // An upsert holds every record's vector at once, as an embeddings answer does: the same bound.
    requireHeldValues(cx.config.limits, records.length, model.spec.dimensions ?? spec.dimensions, "records");
    const store = recordStore(cx, name, spec.store);
    const prefix = spec.document_prefix ?? "";
    const hashes = records.map((r) => textHash(`${spec.model}\n${spec.dimensions}\n${prefix}\n${r.text}`));
    const prior = await store.prior(
      spec,
      records.map((r) => r.id),
    );
    const rows: RecordRow[] = [];
    const toEmbed: number[] = [];
    let unchanged = 0;
    records.forEach((record, i) => {
      const metadata = canonicalMetadata(record.metadata);
      const before = prior[i];
      if (before && before.hash === hashes[i] && before.metadata === metadata) {
        unchanged++;
        return;
      }
      // Vectorize replaces a vector with its metadata in full, so a metadata change there needs the
      // vector again (from the item cache, normally); the Durable Object store keeps the stored one.
      if (!before || before.hash !== hashes[i] || store.kind === "vectorize") toEmbed.push(rows.length);
      rows.push({ id: record.id, text: record.text, metadata, hash: hashes[i] });
    });
    if (rows.length === 0) return { upserted: 0, unchanged, embedded: 0, usage: NO_USAGE };

    let usage = NO_USAGE;
    let embedded = 0;
    if (toEmbed.length > 0) {
      try {
        const texts = toEmbed.map((r) => prefix + rows[r].text);
        const resolved = await cx.items.embed(model, texts);
        const native = model.spec.dimensions!;
        toEmbed.forEach((r, i) => {
          rows[r].vector = collectionVector(spec, resolved.values[i], native);
        });
        usage = resolved.usage;
        embedded = resolved.stats.misses;
      } catch (err) {
        throw nothingStored(err, rows.length);
      }
    }
    await store.write(spec, rows);
    return { upserted: rows.length, unchanged, embedded, usage };
  });
}

/** An embedding failure, saying that nothing of the request was stored (texts are embedded before anything is written). */
function nothingStored(err: unknown, pending: number): unknown {
  if (!(err instanceof ApiError)) return err;
  return new ApiError(
    err.status,
    err.code,
    `${err.message} Nothing of this request was stored (${pending} record${pending === 1 ? "" : "s"} pending); the collection is as it was, so resend the request.`,
    { type: err.type, param: err.param, headers: err.headers, cause: err },
  );
}

export function getRecord(cx: CollectionsContext, name: string, id: string) {
  return withSpec(cx, name, async (spec) => {
    const [record] = await recordStore(cx, name, spec.store).get(spec, [id]);
    if (!record) throw new ApiError(404, "record_not_found", `The collection '${name}' has no record '${id}'.`, { param: "id" });
    return record;
  });
}

export function deleteRecords(cx: CollectionsContext, name: string, ids: readonly string[]): Promise<number> {
  return withSpec(cx, name, async (spec) => (await recordStore(cx, name, spec.store).remove(spec, [...ids])).length);
}

// Creating, reading, listing and deleting collections.
import { requireDimensions, requireModel } from "../catalogue/resolve";
import { ApiError, invalidParam } from "../errors";
import { type CollectionsContext, recordStore, registryOf, stubOf } from "./context";
import { rpc, type StoredSpec } from "./record-store";
import type { CollectionInfo, Metric, StoreKind } from "./types";

export const notFound = (name: string) =>
  new ApiError(404, "collection_not_found", `No collection named '${name}'; PUT /v1/collections/${name} creates it.`, {
    param: "name",
  });

export type StoredInfo = CollectionInfo & { uid: string };

/**
 * Specs by collection name, kept on the gateway (per isolate, configuration and bindings): a query or an upsert needs the
 * model before it can call the collection's object, and a spec never changes while its `uid` lives.
 * A stale one (the collection deleted or re-created elsewhere) is caught by the object, which
 * answers `stale`, and reloaded once.
 */
const SPECS = Symbol("collection specs");
const MAX_CACHED_SPECS = 1000;

const cacheOf = (cx: CollectionsContext): Map<string, StoredInfo> => cx.gateway.state(SPECS, () => new Map<string, StoredInfo>());

export function forgetSpec(cx: CollectionsContext, name: string): void {
  cacheOf(cx).delete(name);
}

/** The collection's spec (cached), or a 404. */
export async function specOf(cx: CollectionsContext, name: string, fresh = false): Promise<StoredInfo> {
  const cache = cacheOf(cx);
  const known = fresh ? undefined : cache.get(name);
  if (known) return known;
  const info = (await rpc(() => stubOf(cx, name).info())) as unknown as StoredInfo | null;
  if (!info) {
    cache.delete(name);
    throw notFound(name);
  }
  if (cache.size >= MAX_CACHED_SPECS) cache.delete(cache.keys().next().value!);
  cache.set(name, info);
  return info;
}

export interface CreateRequest {
  model: string;
  metric?: Metric;
  dimensions?: number;
  description?: string;
  query_prefix?: string;
  document_prefix?: string;
}

/** What a client sees of a collection (no internal uid). */
export function publicInfo({ uid: _, ...info }: StoredInfo): CollectionInfo {
  return info;
}

/** Creates a collection, or confirms one with the same spec (idempotent); another model or size is a 409. */
export async function createCollection(
  cx: CollectionsContext,
  name: string,
  body: CreateRequest,
): Promise<{ info: CollectionInfo; created: boolean }> {
  const model = requireModel(cx.gateway, body.model, "embedding");
  const dimensions = requireDimensions(model, body.model, body.dimensions);
  const store: StoreKind = cx.config.collections.store;
  const metric = body.metric ?? "cosine";
  if (store === "vectorize") await checkVectorizeIndex(cx, dimensions, metric);
  const spec: StoredSpec = {
    name,
    model: model.spec.id,
    dimensions,
    metric,
    ...(body.query_prefix !== undefined ? { query_prefix: body.query_prefix } : {}),
    ...(body.document_prefix !== undefined ? { document_prefix: body.document_prefix } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    created_at: Math.floor(Date.now() / 1000),
    uid: crypto.randomUUID().replaceAll("-", ""),
  };
  const { spec: kept, created } = await rpc(() => stubOf(cx, name).create(spec, store));
  if (!created) {
    const same =
      kept.model === spec.model &&
      kept.dimensions === spec.dimensions &&
      kept.metric === spec.metric &&
      kept.query_prefix === spec.query_prefix &&
      kept.document_prefix === spec.document_prefix;
    if (!same)
      throw new ApiError(
        409,
        "collection_exists",
        `A collection named '${name}' exists with another spec (model '${kept.model}', ${kept.dimensions} dimensions, ${kept.metric}); delete it first or pick another name.`,
        { param: "name" },
      );
  }
  // After the object: a name in the registry always has an object (a failure here is retried by the next PUT).
  await rpc(() => registryOf(cx).add(name));
  return { info: publicInfo(await specOf(cx, name, true)), created };
}

/** A Vectorize index has one size and one metric: a collection there must have both. */
async function checkVectorizeIndex(cx: CollectionsContext, dimensions: number, metric: Metric): Promise<void> {
  const { indexMetric } = cx.config.collections;
  if (metric !== indexMetric)
    throw invalidParam(
      "metric",
      `The Vectorize index compares by ${indexMetric} (COLLECTIONS_INDEX_METRIC); this collection asks for ${metric}.`,
    );
  let described: VectorizeIndexInfo;
  try {
    described = await cx.vectorize!.describe();
  } catch (err) {
    throw new ApiError(
      502,
      "vectorize_failed",
      "The Vectorize index could not be described; is COLLECTIONS_INDEX bound to an existing index?",
      { cause: err },
    );
  }
  if (described.dimensions !== dimensions)
    throw invalidParam(
      "model",
      `The Vectorize index holds ${described.dimensions}-dimensional vectors; this collection's would have ${dimensions}.`,
    );
}

/** Every collection (those `allowed` only, when given), by name. */
export async function listCollections(cx: CollectionsContext, allowed?: ReadonlySet<string>): Promise<CollectionInfo[]> {
  const names = (await rpc(() => registryOf(cx).names())).filter((name) => !allowed || allowed.has(name));
  const infos = await rpc(() => Promise.all(names.map((name) => stubOf(cx, name).info())));
  return infos.flatMap((info) => (info ? [publicInfo(info as unknown as StoredInfo)] : []));
}

/** Deletes a collection and its records. */
export async function deleteCollection(cx: CollectionsContext, name: string): Promise<void> {
  const spec = await specOf(cx, name, true);
  const stub = stubOf(cx, name);
  const ids = await rpc(() => stub.drop());
  await recordStore(cx, name, spec.store).drop(spec, ids);
  forgetSpec(cx, name);
  await rpc(() => registryOf(cx).remove(name));
}

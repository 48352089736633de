import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { CacheDeps, CachePolicy, ItemStats } from "../cache/item-cache";
import { cacheDeps, cachePolicyFrom, cacheSubjectOf } from "../cache/request-cache";
import type { ServedModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import type { Gateway } from "../gateway";
import type { CallContext } from "../providers/types";
import { account } from "../usage/account";
import type { CollectionObject } from "./collection-object";
import { type CollectionStub, objectStore, type RecordStore } from "./record-store";
import type { CollectionRegistry } from "./registry-object";
import type { StoreKind } from "./types";
import { vectorizeStore } from "./vectorize-store";

/** What the collection functions need from a request: the bindings, the config and the item cache's plumbing. */
export interface CollectionsContext {
  gateway: Gateway;
  config: GatewayConfig;
  objects: DurableObjectNamespace<CollectionObject>;
  registry: DurableObjectNamespace<CollectionRegistry>;
  vectorize: Vectorize | undefined;
  call: CallContext;
  policy: CachePolicy;
  /** The item cache's plumbing for a model, with its budget check and spend accounting (`extraChars`: a rerank query's). */
  depsFor(model: ServedModel, extraChars?: number): CacheDeps;
  /** Whose cache entries the request uses (CACHE_SCOPE). */
  cacheSubject: string | undefined;
  /** Accounts a served item request: inputs, cache hits by tier, what they saved. */
  accountItems(model: ServedModel, texts: readonly string[], stats: ItemStats, extraChars?: number): void;
}

export function collectionsContext(c: Context<AppEnv>): CollectionsContext {
  const gateway = c.get("gateway");
  const config = gateway.config;
  const principal = c.get("principal");
  return {
    gateway,
    config,
    objects: c.env.COLLECTIONS,
    registry: c.env.COLLECTION_REGISTRY,
    vectorize: c.env.COLLECTIONS_INDEX,
    call: { requestId: c.get("requestId") },
    policy: cachePolicyFrom(c.req.header("cache-control"), config, principal).policy,
    depsFor: (model, extraChars) => cacheDeps(c, model, extraChars),
    cacheSubject: cacheSubjectOf(config, principal),
    accountItems: (model, texts, stats, extraChars) => account(c, model, texts, stats, extraChars),
  };
}

export const stubOf = (cx: CollectionsContext, name: string): CollectionStub => cx.objects.get(cx.objects.idFromName(name));

export const registryOf = (cx: CollectionsContext) => cx.registry.get(cx.registry.idFromName("registry"));

/** The store a collection's records live in (a collection keeps the store it was created in). */
export function recordStore(cx: CollectionsContext, name: string, kind: StoreKind): RecordStore {
  const stub = stubOf(cx, name);
  if (kind === "vectorize") {
    if (!cx.vectorize) throw new Error("the COLLECTIONS_INDEX Vectorize binding is missing");
    return vectorizeStore(stub, cx.vectorize);
  }
  return objectStore(stub);
}

import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { GatewayConfig } from "../config";
import type { Gateway } from "../gateway";
import { type ItemRequest, itemRequest } from "../request/item-request";
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
  /** Embeddings and rerank through the item cache, as `/v1/embeddings` and `/v1/rerank` get them. */
  items: ItemRequest;
}

export function collectionsContext(c: Context<AppEnv>): CollectionsContext {
  const gateway = c.get("gateway");
  const config = gateway.config;
  return {
    gateway,
    config,
    objects: c.env.COLLECTIONS,
    registry: c.env.COLLECTION_REGISTRY,
    vectorize: c.env.COLLECTIONS_INDEX,
    items: itemRequest(c),
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

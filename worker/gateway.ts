import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type KeyDigests, keyDigests } from "./auth/server-keys";
import type { VerifiedTokens } from "./auth/tokens";
import { d1Store } from "./cache/d1-store";
import { kvStore } from "./cache/kv-store";
import { type MemoryTier, memoryTierFor } from "./cache/memory-tier";
import type { CacheStore } from "./cache/store";
import { type ListedModel, listServedModels } from "./catalogue/model-list";
import { checkRoutes, type ModelDirectory, type ServedRoute, serveModels } from "./catalogue/resolve";
import type { ModelSpec } from "./catalogue/schema";
import { type GatewayConfig, type GatewayEnv, parseConfig } from "./config";
import { ApiError, bodyTooLarge } from "./errors";
import { type UsageMeter, usageMeter } from "./meter/meter";

/**
 * Everything that follows from one configuration, built once: the parsed config and what would
 * otherwise be worked out again per request (served routes, the model list, the store adapter, the
 * server keys' digests, the body limiter). Routes and middleware read it as `c.get("gateway")`.
 */
export interface Gateway extends ModelDirectory {
  readonly config: GatewayConfig;
  readonly served: ReadonlyMap<ModelSpec, ServedRoute[]>;
  /** `GET /v1/models`' answer. */
  readonly models: readonly ListedModel[];
  /** Where cached items live between isolates. */
  readonly store: CacheStore;
  /** The isolate's memory tier, if it has one. */
  readonly memory: MemoryTier | undefined;
  /** GATEWAY_KEYS' digests, for comparing presented keys in constant time. */
  readonly keyDigests: () => Promise<KeyDigests[]>;
  /** Tokens this isolate verified under this configuration's secret (the HMAC is skipped for them). */
  readonly verifiedTokens: VerifiedTokens;
  /**
   * Per-configuration state of a layer above this one (the collections' specs), created on first use
   * under the layer's own key: it lives and goes with the configuration like the rest.
   */
  state<T>(key: symbol, create: () => T): T;
  /** Hono's bodyLimit at MAX_BODY_BYTES, for bodies of unknown length. */
  readonly streamedBodyLimit: MiddlewareHandler;
  /** Usage summed in this isolate and not yet flushed to the ledger. */
  readonly usage: UsageMeter;
}

/** Builds the gateway of a configuration; throws a plain Error naming the bad setting. */
export function buildGateway(env: GatewayEnv): Gateway {
  const config = parseConfig(env);
  checkRoutes(config.catalogue, config.providerSettings);
  const served = serveModels(config.catalogue, config.providers);
  let digests: Promise<KeyDigests[]> | undefined;
  const states = new Map<symbol, unknown>();
  return {
    config,
    catalogue: config.catalogue,
    providerSettings: config.providerSettings,
    served,
    models: listServedModels(config.catalogue.models, served),
    store: config.cache.store === "d1" && env.EMBED_CACHE_DB ? d1Store(env.EMBED_CACHE_DB) : kvStore(env.EMBED_CACHE),
    memory: memoryTierFor(config.cache.memoryBytes),
    // Hashed on first use: Workers allow no crypto outside a request, and most requests need none.
    keyDigests: () => {
      digests ??= keyDigests(config.auth.serverKeys);
      return digests;
    },
    verifiedTokens: new Map(),
    state<T>(key: symbol, create: () => T): T {
      if (!states.has(key)) states.set(key, create());
      return states.get(key) as T;
    },
    streamedBodyLimit: bodyLimit({
      maxSize: config.limits.maxBodyBytes,
      onError: () => {
        throw bodyTooLarge(config.limits.maxBodyBytes);
      },
    }),
    usage: usageMeter(),
  };
}

// The one module-level holder of per-configuration state, because the runtime hands it no other way:
// Workers give every request of an isolate the same env object, so a gateway is built once per
// isolate (and again only for another env, as tests make).
const gateways = new WeakMap<object, Gateway>();

/**
 * The gateway for this env, built on first use. A bad setting is a 500 that names the variable
 * (names are not secret) and never its value.
 */
export function gatewayFor(env: GatewayEnv): Gateway {
  let gateway = gateways.get(env);
  if (!gateway) {
    try {
      gateway = buildGateway(env);
    } catch (err) {
      throw new ApiError(500, "gateway_misconfigured", `The gateway is misconfigured: ${(err as Error).message}.`, {
        type: "server_error",
      });
    }
    gateways.set(env, gateway);
  }
  return gateway;
}

// Test helper: the real worker (its default export) called in workerd with an env pointing at a
// private tenant of the stand-in upstream, so each test has its own upstream counters and faults.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { inject } from "vitest";
import { d1Store } from "../../worker/cache/d1-store";
import { storeKeys } from "../../worker/cache/keys";
import { kvStore } from "../../worker/cache/kv-store";
import { documentIdentity } from "../../worker/cache/rerank-items";
import type { CacheStore } from "../../worker/cache/store";
import { gatewayFor } from "../../worker/gateway";
import app from "../../worker/index";
import { COHERE_STAND_IN_KEY } from "../upstream/cohere-stand-in";
import { OPENAI_STAND_IN_KEY } from "../upstream/openai-stand-in";
import { standInBaseURL } from "../upstream/stand-in-server";
import { WORKERS_AI_STAND_IN_ACCOUNT, WORKERS_AI_STAND_IN_TOKEN } from "../upstream/workers-ai-stand-in";

export const upstreamURL = inject("upstreamURL");
let counter = 0;

export interface TenantStats {
  calls: { embeddings: number; rerank: number; "workers-ai": number; openai: number; cohere: number };
  bodyFormats: string[];
  embedded: Record<string, number>;
  reranked: Record<string, number>;
  bodies: Array<Record<string, any>>;
  authHeaders: string[];
  billedTokens: number;
}

/** The variables that point every provider kind at this tenant of the stand-ins, with their credentials. */
export function allProviders(tenant: string): Record<string, string> {
  return {
    WORKERS_AI_BASE_URL: standInBaseURL(upstreamURL, "workers-ai", tenant),
    WORKERS_AI_ACCOUNT_ID: WORKERS_AI_STAND_IN_ACCOUNT,
    WORKERS_AI_API_TOKEN: WORKERS_AI_STAND_IN_TOKEN,
    OPENAI_BASE_URL: standInBaseURL(upstreamURL, "openai", tenant),
    OPENAI_API_KEY: OPENAI_STAND_IN_KEY,
    COHERE_BASE_URL: standInBaseURL(upstreamURL, "cohere", tenant),
    COHERE_API_KEY: COHERE_STAND_IN_KEY,
  };
}

export function gateway(
  vars: Record<string, string> | ((tenant: string) => Record<string, string>) = {},
  tenant = `t${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}`,
) {
  const extra = typeof vars === "function" ? vars(tenant) : vars;
  const testEnv = { ...env, AUTH_MODE: "open", TOGETHER_BASE_URL: `${upstreamURL}/t/${tenant}/v1`, ...extra } as typeof env;
  const clientIp = `test-client-${tenant}`;
  const control = (path: string, body?: unknown) =>
    fetch(`${upstreamURL}/t/${tenant}/${path}`, { method: "POST", body: JSON.stringify(body ?? {}) }).then((r) => r.json());

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp);
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`https://gateway.test${path}`, { ...init, headers }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  return {
    tenant,
    env: testEnv,
    request,
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } }),
    stats: () => control("_stats") as Promise<TenantStats>,
    fault: (fault: Record<string, unknown>) => control("_fault", fault),
  };
}

/**
 * The cache tests run once per store, with the memory tier off so the store itself answers, and once
 * with KV behind the memory tier as deployed.
 */
export const STORE_VARIANTS: Array<{ name: string; vars: Record<string, string> }> = [
  { name: "KV store", vars: { CACHE_STORE: "kv", MEMORY_CACHE_BYTES: "0" } },
  { name: "D1 store", vars: { CACHE_STORE: "d1", MEMORY_CACHE_BYTES: "0" } },
  { name: "memory tier over KV", vars: { CACHE_STORE: "kv" } },
];

/** The gateway's own store implementation over this test's bindings (real KV or D1, no stand-in). */
export function storeOf(gw: { env: typeof env & { CACHE_STORE?: string } }): CacheStore {
  return gw.env.CACHE_STORE === "d1" ? d1Store((gw.env as any).EMBED_CACHE_DB) : kvStore(gw.env.EMBED_CACHE);
}

export function decodeBase64Vector(b64: string): Float32Array {
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

/**
 * The store keys this test's gateway uses for `texts` embedded by `model`'s first route, or, with a
 * `query`, for string documents reranked against it: asked of the gateway, never rebuilt by hand.
 */
export async function storeKeysOf(gw: { env: typeof env }, model: string, texts: readonly string[], query?: string): Promise<string[]> {
  const gateway = gatewayFor(gw.env as never);
  const spec = gateway.catalogue.byName.get(model);
  const served = spec && gateway.served.get(spec)?.[0];
  if (!served) throw new Error(`${model} is not served by this test's gateway`);
  const { provider, route } = served;
  const scope = { namespace: provider.namespace, model: route.model, params: route.params };
  if (query === undefined) return storeKeys({ kind: "emb", ...scope }, texts);
  return storeKeys(
    { kind: "rr", ...scope, query },
    texts.map((doc) => documentIdentity(doc, undefined)),
  );
}

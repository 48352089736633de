import { type Catalogue, parseCatalogue } from "../catalogue/catalogue";
import { buildProviders, PROVIDER_DESCRIPTORS } from "../providers/registry";
import { type ProviderSettings, parseProviders } from "../providers/settings";
import type { Provider } from "../providers/types";
import { type BudgetRule, parseBudgets } from "./budget-rules";
import { weakSecretReason } from "./secret-rules";

export type AuthMode = "token" | "key" | "open";

export interface ServerKey {
  /** Shown in logs, used as the rate-limit key and as the `kid` of the tokens it mints; never the secret itself. */
  id: string;
  secret: string;
}

/** Everything the gateway reads from its environment, parsed and checked once per isolate. */
export interface GatewayConfig {
  /** Every known model, by id and alias; a model is served when one of its routes' providers is configured. */
  catalogue: Catalogue;
  /** Every provider instance, configured or not (the unconfigured ones name the variables that enable them). */
  providerSettings: ProviderSettings[];
  /** Adapters of the configured instances, by name. */
  providers: Map<string, Provider>;
  cacheTtlSeconds: number;
  cache: {
    /** Where items live between isolates. */
    store: "kv" | "d1";
    /** The per-isolate memory tier's budget; 0 turns it off. */
    memoryBytes: number;
    /** How long a store read may hold up the upstream call for the items still missing. */
    storeDeadlineMs: number;
    /** `subject`: each server key (with the tokens it minted) has its own entries; `shared`: one cache for all. */
    scope: "shared" | "subject";
  };
  /** Where new collections keep their records (README, "Collections"). */
  collections: {
    store: "durable-object" | "vectorize";
    /** The Vectorize index's metric (fixed when the index is made): Vectorize-store collections must use it. */
    indexMetric: "cosine" | "dot" | "euclidean";
  };
  upstreamTimeoutMs: number;
  upstreamRetries: number;
  /** How long one request's upstream work may take in all, across retries and fallback routes. */
  upstreamDeadlineMs: number;
  /** Most upstream batches of one request in flight at once. */
  upstreamConcurrency: number;
  limits: {
    maxBodyBytes: number;
    maxInputs: number;
    maxInputChars: number;
    maxDocuments: number;
    maxQueryChars: number;
    /** Inputs x dimensions one embeddings response may hold, any encoding. */
    maxResponseValues: number;
    /** The same for `encoding_format: "float"` (about 4x the bytes, and CPU to print each number). */
    maxFloatValues: number;
    maxRankFields: number;
    /** Nesting levels an object document may have (an object of strings is 1). */
    maxDocumentDepth: number;
    /** Fields and array items all object documents of a request may hold together, at any depth. */
    maxDocumentMembers: number;
    /** Characters one request may give the local models (rerank: documents plus the query once per document). */
    localMaxChars: number;
  };
  auth: {
    mode: AuthMode;
    serverKeys: ServerKey[];
    tokenSecret: string;
    tokenMaxTtlSeconds: number;
    /** RATE_LIMIT: false only when `off` says so; a missing limiter binding outside open mode is then no error. */
    rateLimit: boolean;
  };
  allowedOrigins: string[];
  usage: {
    /** Longest an isolate keeps usage in memory before flushing it to the ledger. */
    flushMs: number;
    retentionDays: number;
  };
  /** `BUDGETS`: spending limits per subject, enforced before any upstream call. */
  budgets: BudgetRule[];
  /** Which requests get an info log line (warnings and errors always do). */
  logRequests: "all" | "some" | "none";
}

/**
 * The generated `Env` plus the optional variables `wrangler.toml` does not declare. Each provider
 * kind reads its own variables (`TOGETHER_API_KEY`, ...) by name in its folder, hence the index.
 */
export type GatewayEnv = Env & {
  [variable: string]: unknown;
  MODELS?: unknown;
  PROVIDERS?: unknown;
  GATEWAY_KEYS?: string;
  TOKEN_SECRET?: string;
  CACHE_STORE?: string;
  MEMORY_CACHE_BYTES?: string;
  STORE_READ_DEADLINE_MS?: string;
  CACHE_SCOPE?: string;
  LOG_REQUESTS?: string;
  RATE_LIMIT?: string;
  EMBED_CACHE_DB?: D1Database;
  BUDGETS?: unknown;
  USAGE_FLUSH_MS?: string;
  USAGE_RETENTION_DAYS?: string;
  /** Optional Workers Analytics Engine dataset: one data point per accounted request. */
  USAGE_EVENTS?: AnalyticsEngineDataset;
  COLLECTIONS_STORE?: string;
  COLLECTIONS_INDEX?: Vectorize;
  COLLECTIONS_INDEX_METRIC?: string;
};

const DEFAULTS = {
  CACHE_TTL_SECONDS: 30 * 24 * 3600,
  MEMORY_CACHE_BYTES: 32 << 20,
  STORE_READ_DEADLINE_MS: 10,
  UPSTREAM_TIMEOUT_MS: 15_000,
  UPSTREAM_RETRIES: 2,
  // Twice a slow attempt: room for one retry or one fallback route, and well inside SDKs' own timeouts.
  UPSTREAM_DEADLINE_MS: 30_000,
  // Below the six connections a Worker may have open, so batches never queue behind each other's timeouts.
  UPSTREAM_CONCURRENCY: 4,
  // Room for 2048 inputs (OpenAI's limit, and what the Vercel `ai` SDK sends in one call).
  MAX_BODY_BYTES: 8 << 20,
  MAX_INPUTS: 2048,
  MAX_INPUT_CHARS: 32_768,
  MAX_DOCUMENTS: 1000,
  MAX_QUERY_CHARS: 8192,
  // 2048 inputs of a 1024-dimension model: a miss that large peaks at ~50 MB of workerd memory (bench).
  // 2048 x 3072 (OpenAI's largest request) peaked at ~100 MB, ~170 MB with its KV writes: past what a
  // 128 MB isolate can give one request. Models of more dimensions take fewer inputs a request.
  MAX_RESPONSE_VALUES: 2048 * 1024,
  // The same for float JSON, which also costs CPU a number (~0.4 µs, bench): lower would refuse the
  // Vercel `ai` SDK's 2048-input calls of 1024-dimension models.
  MAX_FLOAT_VALUES: 2048 * 1024,
  MAX_RANK_FIELDS: 64,
  MAX_DOCUMENT_DEPTH: 32,
  // 1,000 documents of 64 fields; 500,000 fields cost ~0.8 s of CPU to parse, copy and write (bench).
  MAX_DOCUMENT_MEMBERS: 65_536,
  // At most about 0.1 s of CPU for the lexical models on text built to be costly (bench).
  LOCAL_MAX_CHARS: 200_000,
  TOKEN_MAX_TTL_SECONDS: 3600,
  USAGE_FLUSH_MS: 10_000,
  USAGE_RETENTION_DAYS: 90,
} as const satisfies Record<string, number>;

function readInt(env: GatewayEnv, name: keyof typeof DEFAULTS, min: number, max: number): number {
  const raw = (env as unknown as Record<string, unknown>)[name];
  if (raw === undefined || raw === "") return DEFAULTS[name] as number;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** `GATEWAY_KEYS`: comma-separated, each `id:secret` or a bare secret (its id is then `key1`, `key2`, ...). */
export function parseServerKeys(raw: string | undefined): ServerKey[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(":");
      return colon > 0 ? { id: entry.slice(0, colon), secret: entry.slice(colon + 1) } : { id: `key${i + 1}`, secret: entry };
    });
}

/**
 * Refuses server keys an attacker would guess or confuse: weak secrets (`backend:` is an empty one)
 * and ids that are not plain names or appear twice (a token's `kid` must name exactly one key).
 * Errors name the key id, never the secret.
 */
function checkServerKeys(keys: readonly ServerKey[]): void {
  const ids = new Set<string>();
  for (const { id, secret } of keys) {
    if (!/^[\w.-]{1,64}$/.test(id)) throw new Error("GATEWAY_KEYS: a key id may hold only letters, digits, '.', '_' and '-'");
    if (ids.has(id)) throw new Error(`GATEWAY_KEYS: the key id '${id}' appears twice`);
    ids.add(id);
    const weak = weakSecretReason(secret);
    if (weak) throw new Error(`GATEWAY_KEYS: the secret of key '${id}' ${weak}`);
  }
}

/** A variable that must be one of `choices` (compared in lower case); `fallback` when unset. */
function readChoice<T extends string>(env: GatewayEnv, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  const value = (typeof raw === "string" && raw !== "" ? raw.toLowerCase() : fallback) as T;
  if (!choices.includes(value)) throw new Error(`${name} must be ${choices.join(", ").replace(/, ([^,]*)$/, " or $1")}`);
  return value;
}

/** Who may call: the mode, the server keys and token secret it needs (checked), the rate limiter's state. */
function parseAuth(env: GatewayEnv): GatewayConfig["auth"] {
  const mode = readChoice<AuthMode>(env, "AUTH_MODE", ["token", "key", "open"], "token");
  const serverKeys = parseServerKeys(env.GATEWAY_KEYS);
  const tokenSecret = env.TOKEN_SECRET ?? "";
  const weakTokenSecret = mode === "token" ? weakSecretReason(tokenSecret) : undefined;
  if (weakTokenSecret) throw new Error(`AUTH_MODE=token needs a strong TOKEN_SECRET: it ${weakTokenSecret}`);
  // Tokens name the key that minted them, so token mode needs a key as much as key mode does.
  if (mode !== "open" && serverKeys.length === 0) throw new Error(`AUTH_MODE=${mode} needs GATEWAY_KEYS`);
  if (mode !== "open") checkServerKeys(serverKeys);
  const rateLimit = readChoice(env, "RATE_LIMIT", ["on", "off"], "on");
  // Fail closed, as for a missing KV binding: a lost [[ratelimits]] block must not silently mean no limits.
  if (rateLimit === "on" && mode !== "open" && !env.RATE_LIMITER) {
    throw new Error("the RATE_LIMITER rate-limit binding is missing (set RATE_LIMIT=off to run without limits)");
  }
  return {
    mode,
    serverKeys,
    tokenSecret,
    tokenMaxTtlSeconds: readInt(env, "TOKEN_MAX_TTL_SECONDS", 60, 24 * 3600),
    rateLimit: rateLimit === "on",
  };
}

/** Where cached items live, how much the memory tier holds, and whose entries a request sees. */
function parseCache(env: GatewayEnv): GatewayConfig["cache"] {
  const store = readChoice(env, "CACHE_STORE", ["kv", "d1"], "kv");
  if (store === "kv" && !env.EMBED_CACHE) throw new Error("the EMBED_CACHE KV binding is missing");
  if (store === "d1" && !env.EMBED_CACHE_DB) throw new Error("CACHE_STORE=d1 needs the EMBED_CACHE_DB D1 binding");
  return {
    store,
    // Well inside the 128 MB an isolate may use.
    memoryBytes: readInt(env, "MEMORY_CACHE_BYTES", 0, 96 << 20),
    storeDeadlineMs: readInt(env, "STORE_READ_DEADLINE_MS", 0, 60_000),
    scope: readChoice(env, "CACHE_SCOPE", ["shared", "subject"], "shared"),
  };
}

/** Where collections keep their vectors. */
function parseCollections(env: GatewayEnv): GatewayConfig["collections"] {
  const store = readChoice(env, "COLLECTIONS_STORE", ["durable-object", "vectorize"], "durable-object");
  if (store === "vectorize" && !env.COLLECTIONS_INDEX)
    throw new Error("COLLECTIONS_STORE=vectorize needs the COLLECTIONS_INDEX Vectorize binding");
  return { store, indexMetric: readChoice(env, "COLLECTIONS_INDEX_METRIC", ["cosine", "dot", "euclidean"], "cosine") };
}

/** What one request may ask for. */
function parseLimits(env: GatewayEnv): GatewayConfig["limits"] {
  return {
    maxBodyBytes: readInt(env, "MAX_BODY_BYTES", 1024, 100 << 20),
    maxInputs: readInt(env, "MAX_INPUTS", 1, 10_000),
    maxInputChars: readInt(env, "MAX_INPUT_CHARS", 1, 1_000_000),
    maxDocuments: readInt(env, "MAX_DOCUMENTS", 1, 10_000),
    maxQueryChars: readInt(env, "MAX_QUERY_CHARS", 1, 1_000_000),
    maxResponseValues: readInt(env, "MAX_RESPONSE_VALUES", 1, 2048 * 4096),
    maxFloatValues: readInt(env, "MAX_FLOAT_VALUES", 1, 2048 * 4096),
    maxRankFields: readInt(env, "MAX_RANK_FIELDS", 1, 1024),
    maxDocumentDepth: readInt(env, "MAX_DOCUMENT_DEPTH", 1, 64),
    maxDocumentMembers: readInt(env, "MAX_DOCUMENT_MEMBERS", 1, 1 << 20),
    localMaxChars: readInt(env, "LOCAL_MAX_CHARS", 1, 8 << 20),
  };
}

/** Every setting, parsed and checked once; a bad one throws a plain Error naming the variable, never its value. */
export function parseConfig(env: GatewayEnv): GatewayConfig {
  const auth = parseAuth(env);
  const logRequests = readChoice(env, "LOG_REQUESTS", ["all", "some", "none"], "some");
  const cache = parseCache(env);
  const collections = parseCollections(env);
  const upstreamTimeoutMs = readInt(env, "UPSTREAM_TIMEOUT_MS", 100, 300_000);
  const upstreamRetries = readInt(env, "UPSTREAM_RETRIES", 0, 5);
  const providerSettings = parseProviders(env as unknown as Record<string, unknown>, PROVIDER_DESCRIPTORS);
  return {
    catalogue: parseCatalogue(env.MODELS),
    providerSettings,
    providers: buildProviders(providerSettings, { timeoutMs: upstreamTimeoutMs, retries: upstreamRetries }),
    cacheTtlSeconds: readInt(env, "CACHE_TTL_SECONDS", 60, 365 * 24 * 3600),
    cache,
    collections,
    upstreamTimeoutMs,
    upstreamRetries,
    upstreamDeadlineMs: readInt(env, "UPSTREAM_DEADLINE_MS", 100, 600_000),
    upstreamConcurrency: readInt(env, "UPSTREAM_CONCURRENCY", 1, 6),
    limits: parseLimits(env),
    auth,
    usage: {
      // At most 20 s: the flush waits in `waitUntil`, which runs on for at most 30 s after a response.
      flushMs: readInt(env, "USAGE_FLUSH_MS", 0, 20_000),
      retentionDays: readInt(env, "USAGE_RETENTION_DAYS", 1, 3650),
    },
    budgets: parseBudgets(env.BUDGETS),
    logRequests,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim().replace(/\/+$/, ""))
      .filter(Boolean),
  };
}

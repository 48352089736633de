import { type Catalogue, parseCatalogue } from "./catalogue/catalogue";
import { checkRoutes } from "./catalogue/resolve";
import { ApiError } from "./errors";
import { buildProviders } from "./providers/registry";
import { type ProviderSettings, parseProviders } from "./providers/settings";
import type { Provider } from "./providers/types";

export type AuthMode = "token" | "key" | "open";

export interface ServerKey {
  /** Shown in logs and used as the rate-limit key; never the secret itself. */
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
  upstreamTimeoutMs: number;
  upstreamRetries: number;
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
  };
  allowedOrigins: string[];
  /** Which requests get an info log line (warnings and errors always do). */
  logRequests: "all" | "some" | "none";
}

/** The generated `Env` plus the optional variables `wrangler.toml` does not declare. */
export type GatewayEnv = Env & {
  MODELS?: unknown;
  PROVIDERS?: unknown;
  TOGETHER_API_KEY?: string;
  GATEWAY_KEYS?: string;
  TOKEN_SECRET?: string;
  WORKERS_AI_ACCOUNT_ID?: string;
  WORKERS_AI_API_TOKEN?: string;
  WORKERS_AI_BASE_URL?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  COHERE_API_KEY?: string;
  COHERE_BASE_URL?: string;
  LOCAL_PROVIDER?: string;
  CACHE_STORE?: string;
  MEMORY_CACHE_BYTES?: string;
  STORE_READ_DEADLINE_MS?: string;
  CACHE_SCOPE?: string;
  LOG_REQUESTS?: string;
  EMBED_CACHE_DB?: D1Database;
};

const DEFAULTS = {
  CACHE_TTL_SECONDS: 30 * 24 * 3600,
  MEMORY_CACHE_BYTES: 32 << 20,
  STORE_READ_DEADLINE_MS: 10,
  UPSTREAM_TIMEOUT_MS: 15_000,
  UPSTREAM_RETRIES: 2,
  // Room for 2048 inputs (OpenAI's limit, and what the Vercel `ai` SDK sends in one call).
  MAX_BODY_BYTES: 8 << 20,
  MAX_INPUTS: 2048,
  MAX_INPUT_CHARS: 32_768,
  MAX_DOCUMENTS: 1000,
  MAX_QUERY_CHARS: 8192,
  // 2048 inputs of a 3072-dimension model (OpenAI's largest request): 33 MB of base64 the route holds.
  MAX_RESPONSE_VALUES: 2048 * 3072,
  // 2048 inputs of a 1024-dimension model: printing each number is the cost (~0.4 µs each, bench).
  MAX_FLOAT_VALUES: 2048 * 1024,
  MAX_RANK_FIELDS: 64,
  MAX_DOCUMENT_DEPTH: 32,
  // 1,000 documents of 64 fields; 500,000 fields cost ~0.8 s of CPU to parse, copy and write (bench).
  MAX_DOCUMENT_MEMBERS: 65_536,
  // At most about 0.1 s of CPU for the lexical models on text built to be costly (bench).
  LOCAL_MAX_CHARS: 200_000,
  TOKEN_MAX_TTL_SECONDS: 3600,
} as const;

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

export function parseConfig(env: GatewayEnv): GatewayConfig {
  const mode = (env.AUTH_MODE || "token") as AuthMode;
  if (!["token", "key", "open"].includes(mode)) throw new Error("AUTH_MODE must be token, key or open");
  const logRequests = (env.LOG_REQUESTS || "some") as GatewayConfig["logRequests"];
  if (!["all", "some", "none"].includes(logRequests)) throw new Error("LOG_REQUESTS must be all, some or none");
  const store = (env.CACHE_STORE || "kv") as "kv" | "d1";
  if (store !== "kv" && store !== "d1") throw new Error("CACHE_STORE must be kv or d1");
  if (store === "kv" && !env.EMBED_CACHE) throw new Error("the EMBED_CACHE KV binding is missing");
  if (store === "d1" && !env.EMBED_CACHE_DB) throw new Error("CACHE_STORE=d1 needs the EMBED_CACHE_DB D1 binding");
  const scope = (env.CACHE_SCOPE || "shared") as "shared" | "subject";
  if (scope !== "shared" && scope !== "subject") throw new Error("CACHE_SCOPE must be shared or subject");
  const serverKeys = parseServerKeys(env.GATEWAY_KEYS);
  if (mode === "key" && serverKeys.length === 0) throw new Error("AUTH_MODE=key needs GATEWAY_KEYS");
  const tokenSecret = env.TOKEN_SECRET ?? "";
  if (mode === "token" && tokenSecret.length < 32) throw new Error("AUTH_MODE=token needs TOKEN_SECRET of at least 32 characters");

  const upstreamTimeoutMs = readInt(env, "UPSTREAM_TIMEOUT_MS", 100, 300_000);
  const upstreamRetries = readInt(env, "UPSTREAM_RETRIES", 0, 5);
  const providerSettings = parseProviders(env as unknown as Record<string, unknown>);
  return {
    catalogue: parseCatalogue(env.MODELS),
    providerSettings,
    providers: buildProviders(providerSettings, { timeoutMs: upstreamTimeoutMs, retries: upstreamRetries }),
    cacheTtlSeconds: readInt(env, "CACHE_TTL_SECONDS", 60, 365 * 24 * 3600),
    cache: {
      store,
      // Well inside the 128 MB an isolate may use.
      memoryBytes: readInt(env, "MEMORY_CACHE_BYTES", 0, 96 << 20),
      storeDeadlineMs: readInt(env, "STORE_READ_DEADLINE_MS", 0, 60_000),
      scope,
    },
    upstreamTimeoutMs,
    upstreamRetries,
    limits: {
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
    },
    auth: {
      mode,
      serverKeys,
      tokenSecret,
      tokenMaxTtlSeconds: readInt(env, "TOKEN_MAX_TTL_SECONDS", 60, 24 * 3600),
    },
    logRequests,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim().replace(/\/+$/, ""))
      .filter(Boolean),
  };
}

const configByEnv = new WeakMap<object, GatewayConfig>();

/**
 * The config for this env object, parsed on first use. Workers hand every request of an isolate the
 * same env object, so this parses once per isolate. A bad setting is a 500 that names the variable
 * (names are not secret) and never its value.
 */
export function configFor(env: GatewayEnv): GatewayConfig {
  let config = configByEnv.get(env);
  if (!config) {
    try {
      config = parseConfig(env);
      checkRoutes(config);
    } catch (err) {
      throw new ApiError(500, "gateway_misconfigured", `The gateway is misconfigured: ${(err as Error).message}.`, {
        type: "server_error",
      });
    }
    configByEnv.set(env, config);
  }
  return config;
}

import { ApiError } from "./errors";
import { parseModels, type ModelSpec } from "./models";

export type AuthMode = "token" | "key" | "open";

export interface ServerKey {
  /** Shown in logs and used as the rate-limit key; never the secret itself. */
  id: string;
  secret: string;
}

/** Everything the gateway reads from its environment, parsed and checked once per isolate. */
export interface GatewayConfig {
  apiKey: string;
  baseURL: string;
  models: Map<string, ModelSpec>;
  cacheTtlSeconds: number;
  upstreamTimeoutMs: number;
  upstreamRetries: number;
  limits: {
    maxBodyBytes: number;
    maxInputs: number;
    maxInputChars: number;
    maxDocuments: number;
    maxQueryChars: number;
  };
  auth: {
    mode: AuthMode;
    serverKeys: ServerKey[];
    tokenSecret: string;
    tokenMaxTtlSeconds: number;
  };
  allowedOrigins: string[];
}

export type GatewayEnv = Env & { MODELS?: unknown };

const DEFAULTS = {
  TOGETHER_BASE_URL: "https://api.together.ai/v1",
  CACHE_TTL_SECONDS: 30 * 24 * 3600,
  UPSTREAM_TIMEOUT_MS: 15_000,
  UPSTREAM_RETRIES: 2,
  MAX_BODY_BYTES: 1 << 20,
  MAX_INPUTS: 256,
  MAX_INPUT_CHARS: 32_768,
  MAX_DOCUMENTS: 1000,
  MAX_QUERY_CHARS: 8192,
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
  const baseURL = (env.TOGETHER_BASE_URL || DEFAULTS.TOGETHER_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(baseURL)) throw new Error("TOGETHER_BASE_URL must be an http(s) URL");
  if (!env.TOGETHER_API_KEY) throw new Error("TOGETHER_API_KEY is not set (wrangler secret put TOGETHER_API_KEY)");
  if (!env.EMBED_CACHE) throw new Error("the EMBED_CACHE KV binding is missing");
  const serverKeys = parseServerKeys(env.GATEWAY_KEYS);
  if (mode === "key" && serverKeys.length === 0) throw new Error("AUTH_MODE=key needs GATEWAY_KEYS");
  const tokenSecret = env.TOKEN_SECRET ?? "";
  if (mode === "token" && tokenSecret.length < 32) throw new Error("AUTH_MODE=token needs TOKEN_SECRET of at least 32 characters");

  return {
    apiKey: env.TOGETHER_API_KEY,
    baseURL,
    models: parseModels(env.MODELS),
    cacheTtlSeconds: readInt(env, "CACHE_TTL_SECONDS", 60, 365 * 24 * 3600),
    upstreamTimeoutMs: readInt(env, "UPSTREAM_TIMEOUT_MS", 100, 300_000),
    upstreamRetries: readInt(env, "UPSTREAM_RETRIES", 0, 5),
    limits: {
      maxBodyBytes: readInt(env, "MAX_BODY_BYTES", 1024, 100 << 20),
      maxInputs: readInt(env, "MAX_INPUTS", 1, 10_000),
      maxInputChars: readInt(env, "MAX_INPUT_CHARS", 1, 1_000_000),
      maxDocuments: readInt(env, "MAX_DOCUMENTS", 1, 10_000),
      maxQueryChars: readInt(env, "MAX_QUERY_CHARS", 1, 1_000_000),
    },
    auth: {
      mode,
      serverKeys,
      tokenSecret,
      tokenMaxTtlSeconds: readInt(env, "TOKEN_MAX_TTL_SECONDS", 60, 24 * 3600),
    },
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "").split(",").map((s) => s.trim().replace(/\/+$/, "")).filter(Boolean),
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
    } catch (err) {
      throw new ApiError(500, "gateway_misconfigured", `The gateway is misconfigured: ${(err as Error).message}.`, { type: "server_error" });
    }
    configByEnv.set(env, config);
  }
  return config;
}

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { errorOf } from "../test/setup/error-of";
import { type GatewayEnv, parseConfig, parseServerKeys } from "./config";
import { gatewayFor } from "./gateway";

const configFor = (env: GatewayEnv) => gatewayFor(env).config;

import { ApiError } from "./errors";

/** The least a gateway runs with: the KV binding (real, from the test runtime) and open access. */
const minimal = (vars: Record<string, unknown> = {}) =>
  ({ EMBED_CACHE: env.EMBED_CACHE, AUTH_MODE: "open", ...vars }) as unknown as GatewayEnv;

/** A value no error message may repeat: variables may hold secrets, or values next to them. */
const SECRET = "s3cr3t-Value-9f2c";

const INT_VARS = [
  "CACHE_TTL_SECONDS",
  "MEMORY_CACHE_BYTES",
  "STORE_READ_DEADLINE_MS",
  "UPSTREAM_TIMEOUT_MS",
  "UPSTREAM_RETRIES",
  "MAX_BODY_BYTES",
  "MAX_INPUTS",
  "MAX_INPUT_CHARS",
  "MAX_DOCUMENTS",
  "MAX_QUERY_CHARS",
  "MAX_RESPONSE_VALUES",
  "MAX_FLOAT_VALUES",
  "MAX_RANK_FIELDS",
  "MAX_DOCUMENT_DEPTH",
  "MAX_DOCUMENT_MEMBERS",
  "LOCAL_MAX_CHARS",
  "TOKEN_MAX_TTL_SECONDS",
];

describe("config: defaults", () => {
  it("Should use the defaults wrangler.toml documents when nothing is set", () => {
    const config = parseConfig(minimal());
    expect(config.cacheTtlSeconds).toBe(30 * 24 * 3600);
    expect(config.cache).toEqual({ store: "kv", memoryBytes: 32 << 20, storeDeadlineMs: 10, scope: "shared" });
    expect(config.upstreamTimeoutMs).toBe(15_000);
    expect(config.upstreamRetries).toBe(2);
    expect(config.limits).toEqual({
      maxBodyBytes: 8 << 20,
      maxInputs: 2048,
      maxInputChars: 32_768,
      maxDocuments: 1000,
      maxQueryChars: 8192,
      maxResponseValues: 2048 * 1024,
      maxFloatValues: 2048 * 1024,
      maxRankFields: 64,
      maxDocumentDepth: 32,
      maxDocumentMembers: 65_536,
      localMaxChars: 200_000,
    });
    expect(config.auth).toMatchObject({ mode: "open", serverKeys: [], tokenMaxTtlSeconds: 3600 });
    expect(config.allowedOrigins).toEqual([]);
  });

  it("Should treat an empty variable as unset", () => {
    const config = parseConfig(minimal(Object.fromEntries(INT_VARS.map((name) => [name, ""]))));
    expect(config.limits.maxInputs).toBe(2048);
    expect(config.cacheTtlSeconds).toBe(30 * 24 * 3600);
  });

  it("Should read integer settings given as text or as numbers", () => {
    const config = parseConfig(minimal({ MAX_INPUTS: "8", MAX_DOCUMENTS: 16, MEMORY_CACHE_BYTES: "0", UPSTREAM_RETRIES: "0" }));
    expect(config.limits.maxInputs).toBe(8);
    expect(config.limits.maxDocuments).toBe(16);
    expect(config.cache.memoryBytes).toBe(0);
    expect(config.upstreamRetries).toBe(0);
  });

  it("Should trim origins and their trailing slashes, skipping empty entries", () => {
    const config = parseConfig(minimal({ ALLOWED_ORIGINS: " https://a.example.com/ ,https://b.example.com//,, " }));
    expect(config.allowedOrigins).toEqual(["https://a.example.com", "https://b.example.com"]);
  });

  it("Should read server keys as id:secret, or bare secrets numbered by position", () => {
    expect(parseServerKeys("ci:one, two ,backend:th:ree,")).toEqual([
      { id: "ci", secret: "one" },
      { id: "key2", secret: "two" },
      { id: "backend", secret: "th:ree" },
    ]);
    expect(parseServerKeys(undefined)).toEqual([]);
  });
});

describe("config: a bad value names the variable, never its value", () => {
  it("Should accept CACHE_SCOPE shared or subject and refuse anything else", () => {
    expect(parseConfig(minimal({ CACHE_SCOPE: "subject" })).cache.scope).toBe("subject");
    const message = errorOf(() => parseConfig(minimal({ CACHE_SCOPE: SECRET }))).message;
    expect(message).toContain("CACHE_SCOPE");
    expect(message).not.toContain(SECRET);
  });

  it("Should refuse an integer setting that is not a whole number in range", () => {
    for (const name of INT_VARS) {
      for (const bad of [SECRET, "1.5", "-1", "1e99"]) {
        const message = errorOf(() => parseConfig(minimal({ [name]: bad }))).message;
        expect(message).toContain(name);
        expect(message).not.toContain(bad);
      }
    }
  });

  it("Should refuse an unknown AUTH_MODE, CACHE_STORE or LOCAL_PROVIDER without repeating it", () => {
    for (const name of ["AUTH_MODE", "CACHE_STORE", "LOCAL_PROVIDER"]) {
      const message = errorOf(() => parseConfig(minimal({ [name]: SECRET }))).message;
      expect(message).toContain(name);
      expect(message).not.toContain(SECRET);
    }
  });

  it("Should refuse a base URL that is not http(s) without repeating it", () => {
    for (const name of ["TOGETHER_BASE_URL", "OPENAI_BASE_URL", "WORKERS_AI_BASE_URL", "COHERE_BASE_URL"]) {
      const message = errorOf(() => parseConfig(minimal({ [name]: `ftp://${SECRET}.example.com` }))).message;
      expect(message).toContain(name);
      expect(message).not.toContain(SECRET);
    }
  });

  it("Should refuse token mode with a short TOKEN_SECRET, and key mode without keys, without repeating the secret", () => {
    const short = errorOf(() => parseConfig(minimal({ AUTH_MODE: "token", TOKEN_SECRET: SECRET }))).message;
    expect(short).toContain("TOKEN_SECRET");
    expect(short).not.toContain(SECRET);
    expect(errorOf(() => parseConfig(minimal({ AUTH_MODE: "token" }))).message).toContain("TOKEN_SECRET");
    expect(errorOf(() => parseConfig(minimal({ AUTH_MODE: "key", GATEWAY_KEYS: " , " }))).message).toContain("GATEWAY_KEYS");
  });

  it("Should refuse empty, short and example secrets in the modes that use them, naming the variable and key id, never the value", () => {
    const strong = "k".repeat(24) + "-9f2c0a7e";
    const weakTokenSecrets = ["", "x".repeat(31), "dev-token-secret-change-me-0123456789abcdef", `${strong}-CHANGE-ME`];
    for (const TOKEN_SECRET of weakTokenSecrets) {
      const message = errorOf(() => parseConfig(minimal({ AUTH_MODE: "token", TOKEN_SECRET, GATEWAY_KEYS: `ci:${strong}` }))).message;
      expect(message).toContain("TOKEN_SECRET");
      if (TOKEN_SECRET) expect(message).not.toContain(TOKEN_SECRET);
    }
    const weakKeys = ["backend:", "backend:short-secret", "backend:dev-server-key-change-me-0123456789abcdef", "backend: "];
    for (const mode of ["token", "key"]) {
      for (const entry of weakKeys) {
        const message = errorOf(() =>
          parseConfig(minimal({ AUTH_MODE: mode, TOKEN_SECRET: strong, GATEWAY_KEYS: `ci:${strong},${entry}` })),
        ).message;
        expect(message).toContain("GATEWAY_KEYS");
        expect(message).toContain("'backend'");
        const secret = entry.slice("backend:".length).trim();
        if (secret) expect(message).not.toContain(secret);
      }
      // A bare secret is named by its position, and ids are plain names that appear once.
      expect(errorOf(() => parseConfig(minimal({ AUTH_MODE: mode, TOKEN_SECRET: strong, GATEWAY_KEYS: "tiny" }))).message).toContain(
        "'key1'",
      );
      for (const keys of [`a b:${strong}`, `ci:${strong},ci:${strong}x`]) {
        expect(errorOf(() => parseConfig(minimal({ AUTH_MODE: mode, TOKEN_SECRET: strong, GATEWAY_KEYS: keys }))).message).toContain(
          "GATEWAY_KEYS",
        );
      }
    }
    const strongConfig = minimal({
      AUTH_MODE: "token",
      TOKEN_SECRET: strong,
      GATEWAY_KEYS: `ci:${strong}`,
      RATE_LIMITER: env.RATE_LIMITER,
    });
    expect(parseConfig(strongConfig).auth.serverKeys).toEqual([{ id: "ci", secret: strong }]);
    // Open mode reads neither, so it does not judge them.
    expect(parseConfig(minimal({ TOKEN_SECRET: "short", GATEWAY_KEYS: "backend:" })).auth.mode).toBe("open");
    // Token mode needs a key: a token names the key that minted it.
    expect(errorOf(() => parseConfig(minimal({ AUTH_MODE: "token", TOKEN_SECRET: strong }))).message).toContain("GATEWAY_KEYS");
  });

  it("Should refuse token and key modes without the RATE_LIMITER binding unless RATE_LIMIT=off says so", () => {
    const secured = (mode: string, vars: Record<string, unknown> = {}) =>
      minimal({ AUTH_MODE: mode, TOKEN_SECRET: "t".repeat(40), GATEWAY_KEYS: `ci:${"k".repeat(40)}`, ...vars });
    for (const mode of ["token", "key"]) {
      expect(errorOf(() => parseConfig(secured(mode))).message).toContain("RATE_LIMITER");
      expect(parseConfig(secured(mode, { RATE_LIMITER: env.RATE_LIMITER })).auth.rateLimit).toBe(true);
      expect(parseConfig(secured(mode, { RATE_LIMIT: "off" })).auth.rateLimit).toBe(false);
    }
    expect(parseConfig(minimal()).auth.rateLimit).toBe(true);
    const message = errorOf(() => parseConfig(minimal({ RATE_LIMIT: SECRET }))).message;
    expect(message).toContain("RATE_LIMIT");
    expect(message).not.toContain(SECRET);
  });

  it("Should answer requests with a 500 gateway_misconfigured that names the variable and not its value", () => {
    const err = errorOf(() => configFor(minimal({ UPSTREAM_TIMEOUT_MS: SECRET })));
    expect(err).toBeInstanceOf(ApiError);
    const body = (err as ApiError).toBody();
    expect((err as ApiError).status).toBe(500);
    expect(body.error).toMatchObject({ code: "gateway_misconfigured", type: "server_error" });
    expect(body.error.message).toContain("UPSTREAM_TIMEOUT_MS");
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("Should parse the environment once and reuse the result", () => {
    const vars = minimal({ MAX_INPUTS: "3" });
    expect(configFor(vars)).toBe(configFor(vars));
  });
});

describe("config: the cache store", () => {
  it("Should need the D1 binding for CACHE_STORE=d1, and use D1 when it is there", () => {
    expect(errorOf(() => parseConfig(minimal({ CACHE_STORE: "d1" }))).message).toContain("EMBED_CACHE_DB");
    expect(parseConfig(minimal({ CACHE_STORE: "d1", EMBED_CACHE_DB: env.EMBED_CACHE_DB })).cache.store).toBe("d1");
  });

  it("Should need the KV binding for the default store", () => {
    const withoutKv = { AUTH_MODE: "open" } as unknown as GatewayEnv;
    expect(errorOf(() => parseConfig(withoutKv)).message).toContain("EMBED_CACHE");
  });
});

describe("config: providers", () => {
  const names = (vars: Record<string, unknown>) => [...parseConfig(minimal(vars)).providers.keys()];

  it("Should configure a default provider only when its credentials are set", () => {
    expect(names({})).toEqual([]);
    expect(names({ TOGETHER_API_KEY: "k" })).toEqual(["together"]);
    expect(names({ WORKERS_AI_ACCOUNT_ID: "acct" })).toEqual([]);
    expect(names({ WORKERS_AI_ACCOUNT_ID: "acct", WORKERS_AI_API_TOKEN: "t", OPENAI_API_KEY: "o", COHERE_API_KEY: "c" })).toEqual([
      "workers-ai",
      "openai",
      "cohere",
    ]);
  });

  it("Should trim trailing slashes from base URLs and keep the documented defaults", () => {
    const settings = parseConfig(minimal({ OPENAI_BASE_URL: "http://tei.internal:8080/v1//" })).providerSettings;
    expect(settings.find((s) => s.name === "openai")!.baseURL).toBe("http://tei.internal:8080/v1");
    expect(settings.find((s) => s.name === "together")!.baseURL).toBe("https://api.together.ai/v1");
  });

  it("Should refuse to send a key over plain http except to this machine, naming the variable", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ OPENAI_BASE_URL: `http://${SECRET}.example.com/v1`, OPENAI_API_KEY: "o" }, "OPENAI_BASE_URL"],
      [{ TOGETHER_BASE_URL: "http://api.together.ai/v1", TOGETHER_API_KEY: "t" }, "TOGETHER_BASE_URL"],
      [{ COHERE_BASE_URL: "http://10.0.0.5/v2", COHERE_API_KEY: "c" }, "COHERE_BASE_URL"],
      [{ WORKERS_AI_BASE_URL: "http://cf.example.com", WORKERS_AI_ACCOUNT_ID: "a", WORKERS_AI_API_TOKEN: "t" }, "WORKERS_AI_BASE_URL"],
      [
        {
          PROVIDERS: JSON.stringify([{ name: "tei", kind: "openai", base_url: "http://tei.internal/v1", api_key_var: "TEI_KEY" }]),
          TEI_KEY: "k",
        },
        "PROVIDERS (tei).base_url",
      ],
    ];
    for (const [vars, variable] of cases) {
      const message = errorOf(() => parseConfig(minimal(vars))).message;
      expect(message).toContain(variable);
      expect(message).toContain("https");
      expect(message).not.toContain(SECRET);
    }
    for (const host of ["127.0.0.1:8080", "localhost:3000", "[::1]:9000", "tei.localhost"]) {
      expect(names({ OPENAI_BASE_URL: `http://${host}/v1`, OPENAI_API_KEY: "o" })).toEqual(["openai"]);
    }
    // Without a key there is no key to leak: a private TEI over http stays allowed.
    expect(names({ PROVIDERS: JSON.stringify([{ name: "tei", kind: "openai", base_url: "http://tei.internal/v1" }]) })).toEqual(["tei"]);
  });

  it("Should serve the local models for LOCAL_PROVIDER on, true or 1 in any case, and not for off", () => {
    for (const on of ["on", "ON", "true", "1"]) expect(names({ LOCAL_PROVIDER: on })).toEqual(["local"]);
    for (const off of ["off", "false", "0", ""]) expect(names({ LOCAL_PROVIDER: off })).toEqual([]);
  });

  it("Should add PROVIDERS entries, configured when the variable they name holds a key", () => {
    const tei = { name: "tei", kind: "openai", base_url: "https://tei.internal/v1/", api_key_var: "TEI_KEY" };
    const config = parseConfig(minimal({ PROVIDERS: JSON.stringify([tei]), TEI_KEY: "tei-key" }));
    expect(config.providerSettings.find((s) => s.name === "tei")).toMatchObject({
      kind: "openai",
      baseURL: "https://tei.internal/v1",
      apiKey: "tei-key",
      vars: ["TEI_KEY"],
      configured: true,
    });
    expect(config.providers.get("tei")?.kind).toBe("openai");
    expect(names({ PROVIDERS: JSON.stringify([tei]) })).toEqual([]);
    expect(names({ PROVIDERS: JSON.stringify([{ name: "ollama", kind: "openai", base_url: "http://127.0.0.1:11434/v1" }]) })).toEqual([
      "ollama",
    ]);
  });

  it("Should let a PROVIDERS entry named like a default instance replace it", () => {
    const config = parseConfig(
      minimal({
        PROVIDERS: [{ name: "together", kind: "together", base_url: "https://proxy.example.com/v1", api_key_var: "PROXY_KEY" }],
        PROXY_KEY: "p",
      }),
    );
    const together = config.providerSettings.filter((s) => s.name === "together");
    expect(together).toHaveLength(1);
    expect(together[0]).toMatchObject({ baseURL: "https://proxy.example.com/v1", apiKey: "p" });
  });

  it("Should need an account for a Workers AI entry", () => {
    const entry = { name: "cf2", kind: "workers-ai", api_key_var: "CF2_TOKEN" };
    expect(names({ PROVIDERS: JSON.stringify([entry]), CF2_TOKEN: "t" })).toEqual([]);
    expect(names({ PROVIDERS: JSON.stringify([{ ...entry, account_id: "acct" }]), CF2_TOKEN: "t" })).toEqual(["cf2"]);
  });

  it("Should refuse PROVIDERS that is not JSON, or has an invalid entry, naming PROVIDERS", () => {
    const cases = [
      "[{name: tei}]",
      JSON.stringify([{ name: "Bad Name", kind: "openai" }]),
      JSON.stringify([{ name: "x", kind: "grpc" }]),
      JSON.stringify([{ name: "x", kind: "openai", base_url: "ftp://h" }]),
    ];
    for (const raw of cases) expect(errorOf(() => parseConfig(minimal({ PROVIDERS: raw }))).message).toContain("PROVIDERS");
  });

  it("Should refuse at start-up a MODELS route to a provider that does not exist or cannot do the job", () => {
    const unknown = JSON.stringify([{ id: "x", type: "embedding", dimensions: 4, routes: [{ provider: "nowhere", model: "x" }] }]);
    expect(errorOf(() => configFor(minimal({ MODELS: unknown }))).message).toContain("unknown provider 'nowhere'");
    const rerankOnOpenAi = JSON.stringify([{ id: "r", type: "rerank", routes: [{ provider: "openai", model: "r" }] }]);
    expect(errorOf(() => configFor(minimal({ MODELS: rerankOnOpenAi }))).message).toContain("cannot serve");
  });
});

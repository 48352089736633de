import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_GATEWAY_KEYS, TEST_TOKEN_SECRET } from "./test/setup/test-keys.ts";
import { TEST_MODELS_JSON } from "./test/setup/test-models.ts";
import { STAND_IN_API_KEY } from "./test/upstream/together-stand-in.ts";

/**
 * wrangler.toml as JSON in a directory with no `.dev.vars` or `.env`. The Workers plugin loads those
 * from beside the Wrangler config and has no switch to stop it, so a developer's local secrets and
 * overrides would otherwise reach the worker tests (and print "Using secrets defined in .dev.vars"
 * once per test file).
 */
let hermeticConfig: Promise<string> | undefined;
function wranglerConfigWithoutDevVars(configPath: string): Promise<string> {
  hermeticConfig ??= import("wrangler").then(({ experimental_readRawConfig }) => {
    const { rawConfig } = experimental_readRawConfig({ config: configPath });
    const config = { ...rawConfig, main: rawConfig.main && resolve(dirname(configPath), rawConfig.main) };
    const dir = resolve(".wrangler/test-config");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "wrangler.json");
    // Written whole, then renamed: test runs started at the same time never read half a file.
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(config));
    renameSync(`${file}.${process.pid}`, file);
    return file;
  });
  return hermeticConfig;
}

export default defineConfig({
  test: {
    silent: "passed-only",
    projects: [
      {
        // The worker in the real Workers runtime (workerd) with real local KV and rate limiters.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: await wranglerConfigWithoutDevVars("./wrangler.toml") },
            miniflare: {
              // The playground, docs and client files (built by `npm run build:assets` before tests).
              assets: { directory: "./dist/assets", binding: "ASSETS" },
              // D1 runs locally: the same cache tests run against both stores.
              d1Databases: ["EMBED_CACHE_DB"],
              bindings: {
                TOGETHER_API_KEY: STAND_IN_API_KEY,
                MODELS: TEST_MODELS_JSON,
                GATEWAY_KEYS: TEST_GATEWAY_KEYS,
                TOKEN_SECRET: TEST_TOKEN_SECRET,
                ALLOWED_ORIGINS: "https://app.example.com",
                UPSTREAM_RETRIES: "1",
                // Usage reaches the ledger right after each response, so tests read it back at once.
                USAGE_FLUSH_MS: "0",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          // A fresh isolate per test file, chosen on purpose: the worker keeps per-isolate state
          // (in-flight coalescing, caches) that must not carry over from one file's tests to the next.
          isolate: true,
          include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"],
          globalSetup: ["./test/setup/upstream-global.ts"],
          testTimeout: 20_000,
        },
      },
      {
        // Real clients (SDKs, curl, the browser client in Chromium) against `wrangler dev`.
        test: {
          name: "node",
          // Likewise chosen: each file starts with its own module state (local servers, clients).
          isolate: true,
          include: ["test/node/**/*.test.ts", "client/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/setup/node-global.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

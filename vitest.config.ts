import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { STAND_IN_API_KEY } from "./test/upstream/together-stand-in";
import { TEST_MODELS_JSON } from "./test/setup/test-models";

export default defineConfig({
  test: {
    silent: "passed-only",
    projects: [
      {
        // The worker in the real Workers runtime (workerd) with real local KV and rate limiters.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TOGETHER_API_KEY: STAND_IN_API_KEY,
                MODELS: TEST_MODELS_JSON,
                GATEWAY_KEYS: "ci:test-server-key-1,backend:test-server-key-2",
                TOKEN_SECRET: "test-token-secret-0123456789abcdef0123456789",
                ALLOWED_ORIGINS: "https://app.example.com",
                UPSTREAM_RETRIES: "1",
              },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          globalSetup: ["./test/setup/upstream-global.ts"],
          testTimeout: 20_000,
        },
      },
      {
        // Real clients (SDKs, curl, the browser client in Chromium) against `wrangler dev`.
        test: {
          name: "node",
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

// The gateway's variables and the model catalogue, as the worker tests configure them
// (vitest.config.ts `miniflare.bindings`, test/worker/gateway.ts), so the bench measures the
// configuration the tests prove correct. Keep this in step with those two files.
import { standInModule, testModels } from "./test-fixtures.ts";

/** The test catalogue's entries, whatever shape test-models.ts exports them in (array, JSON text, or an object of them). */
function catalogueEntries(): Array<Record<string, unknown>> {
  const entries: Array<Record<string, unknown>> = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      try {
        visit(JSON.parse(value));
      } catch {
        // Not JSON: not a catalogue.
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (typeof o.id === "string" && typeof o.type === "string") entries.push(o);
      else for (const item of Object.values(o)) visit(item);
    }
  };
  for (const value of Object.values(testModels)) visit(value);
  return entries;
}

/** The test catalogue's entry for `id` (the first one seen, when several exports list it). */
export function catalogueEntry(id: string): Record<string, unknown> {
  const entry = catalogueEntries().find((m) => m.id === id);
  if (!entry) throw new Error(`${id} is not in test/setup/test-models.ts`);
  return entry;
}

/** The `MODELS` variable the tests pass. */
function modelsVar(): string {
  const m = testModels as Record<string, unknown>;
  if (typeof m.TEST_MODELS_JSON === "string") return m.TEST_MODELS_JSON;
  return JSON.stringify(catalogueEntries());
}

/** Variables for one gateway instance whose upstream is `upstreamBaseURL`; `extra` overrides. */
export function gatewayVars(upstreamBaseURL: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    // vitest.config.ts
    TOGETHER_API_KEY: standInModule.STAND_IN_API_KEY,
    MODELS: modelsVar(),
    GATEWAY_KEYS: "ci:test-server-key-1,backend:test-server-key-2",
    TOKEN_SECRET: "test-token-secret-0123456789abcdef0123456789",
    ALLOWED_ORIGINS: "https://app.example.com",
    UPSTREAM_RETRIES: "1",
    // test/worker/gateway.ts
    AUTH_MODE: "open",
    TOGETHER_BASE_URL: upstreamBaseURL,
    ...extra,
  };
}

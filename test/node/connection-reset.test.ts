// Connection resets, in workerd itself: the bundled worker under Miniflare, as deployed. These live
// here rather than in the `worker` project because @cloudflare/vitest-plugin's test runner reports
// every reset subrequest as an "uncaught exception" even when the worker catches it (a bare worker
// in Miniflare with the same fetch, reset and AbortSignal.timeout logs nothing), which would make a
// passing suite noisy.
import { join } from "node:path";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_MODELS_JSON } from "../setup/test-models";
import { STAND_IN_API_KEY, type StandIn, startStandIn } from "../upstream/stand-ins";

let standIn: StandIn;
let mf: Miniflare;
const logs: string[] = [];
const TENANT = `reset-${Date.now().toString(36)}`;

beforeAll(async () => {
  standIn = await startStandIn();
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, "../../worker/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    // The runtime's own modules (Durable Object base classes): workerd provides them, as in a deploy.
    external: ["cloudflare:*"],
    write: false,
    logLevel: "error",
  });
  mf = new Miniflare(
    convertV4MiniflareOptions({
      name: "gateway",
      modules: true,
      script: bundle.outputFiles[0].text,
      compatibilityDate: "2026-11-01",
      kvNamespaces: ["EMBED_CACHE"],
      bindings: {
        AUTH_MODE: "open",
        TOGETHER_API_KEY: STAND_IN_API_KEY,
        TOGETHER_BASE_URL: standIn.baseURL(TENANT),
        MODELS: TEST_MODELS_JSON,
        UPSTREAM_RETRIES: "1",
      },
      handleStructuredLogs: ({ message }: { message: string }) => void logs.push(message),
    }),
  );
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  await standIn?.close();
});

const embed = async (input: string) => {
  const res = await mf.dispatchFetch("http://gateway/v1/embeddings", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "BAAI/bge-large-en-v1.5", input }),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe("connection resets, in workerd", () => {
  it("Should retry a reset connection, and report a persistent one as 502, never leaking the key", async () => {
    standIn.tenant(TENANT).faults.push({ kind: "reset", times: 1 });
    expect((await embed("after reset")).status).toBe(200);
    standIn.tenant(TENANT).faults.push({ kind: "reset", times: 10 });
    const persistent = await embed("always reset");
    expect(persistent.status).toBe(502);
    expect(persistent.body.error.code).toBe("upstream_unreachable");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs.some((line) => line.includes("upstream network error"))).toBe(true);
    for (const line of logs) expect(line).not.toContain(STAND_IN_API_KEY);
    // The worker observes every failed subrequest: workerd reports no uncaught exception.
    expect(logs.filter((line) => /uncaught/i.test(line))).toEqual([]);
  });
});

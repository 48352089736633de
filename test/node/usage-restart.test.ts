// Usage and budgets live in Durable Objects: they survive a restart of `wrangler dev` on the same
// persist directory, and what was served reaches /v1/usage without any further request.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { TEST_MODELS_JSON } from "../setup/test-models";
import { type RunningGateway, startWranglerDev } from "../setup/wrangler-dev";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";

const upstreamURL = inject("upstreamURL");
const KEY = "restart-suite-server-key-0123456789abcdef";
const tenant = `restart-${Date.now()}`;
const persistTo = join(mkdtempSync(join(tmpdir(), "embed-edge-persist-")), "state");
const VARS = {
  TOGETHER_API_KEY: STAND_IN_API_KEY,
  TOGETHER_BASE_URL: `${upstreamURL}/t/${tenant}/v1`,
  AUTH_MODE: "key",
  GATEWAY_KEYS: `ops:${KEY}`,
  MODELS: TEST_MODELS_JSON,
  USAGE_FLUSH_MS: "500",
  BUDGETS: JSON.stringify([{ subject: "key", period: "day", max_inputs: 3 }]),
};
const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const embed = (gw: RunningGateway, input: string[]) =>
  fetch(`${gw.url}/v1/embeddings`, { method: "POST", headers: auth, body: JSON.stringify({ model: "test/tiny-embed", input }) });
const usage = async (gw: RunningGateway) => {
  const res = await fetch(`${gw.url}/v1/usage?start_time=${Math.floor(Date.now() / 1000) - 3600}&group_by=subject`, { headers: auth });
  const page = (await res.json()) as any;
  return page.data.flatMap((b: any) => b.results).find((r: any) => r.subject === "key:ops");
};
const upstreamCalls = async () =>
  ((await (await fetch(`${upstreamURL}/t/${tenant}/_stats`, { method: "POST" })).json()) as any).calls.embeddings as number;

let running: RunningGateway | undefined;
afterAll(() => running?.stop());

describe("usage and budgets across a restart", () => {
  it("Should show what was served within USAGE_FLUSH_MS with no further request, and keep usage and budget state after a restart", async () => {
    running = await startWranglerDev(VARS, { persistTo });
    expect((await embed(running, ["restart one", "restart two", "restart three"])).status).toBe(200);
    // No further request: the flush scheduled by this one delivers it.
    const deadline = Date.now() + 500 + 5000;
    let seen: any;
    while (!seen && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await usage(running);
    }
    expect(seen).toMatchObject({ num_requests: 1, inputs: 3, upstream_inputs: 3 });
    await running.stop();

    running = await startWranglerDev(VARS, { persistTo });
    expect(await usage(running)).toMatchObject({ num_requests: 1, inputs: 3, upstream_inputs: 3, input_tokens: seen.input_tokens });
    const calls = await upstreamCalls();
    const refused = await embed(running, ["restart four"]);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error.code).toBe("budget_exceeded");
    expect(await upstreamCalls()).toBe(calls);
    // A full hit is still served.
    expect((await embed(running, ["restart one"])).status).toBe(200);
  });
});

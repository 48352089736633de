// The /usage page in a real Chromium against `wrangler dev`: it asks for a server key, then draws
// real figures from GET /v1/usage and GET /v1/usage/budgets under the pages' CSP.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../setup/chromium";
import { TEST_MODELS_JSON } from "../setup/test-models";
import { type RunningGateway, startWranglerDev } from "../setup/wrangler-dev";
import { STAND_IN_API_KEY } from "../upstream/together-stand-in";

const upstreamURL = inject("upstreamURL");
const OPS = "usage-page-ops-key-0123456789abcdef0123";
const WEB = "usage-page-web-key-0123456789abcdef0123";
const models = JSON.parse(TEST_MODELS_JSON).map((m: any) => ({ ...m, price_per_million_tokens: m.type === "rerank" ? 0.05 : 0.02 }));

let gateway: RunningGateway;
let browser: Browser;

async function call(key: string, path: string, body: unknown) {
  const res = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

beforeAll(async () => {
  gateway = await startWranglerDev({
    TOGETHER_API_KEY: STAND_IN_API_KEY,
    TOGETHER_BASE_URL: `${upstreamURL}/t/usage-page-${Date.now()}/v1`,
    AUTH_MODE: "key",
    GATEWAY_KEYS: `ops:${OPS},web:${WEB}`,
    MODELS: JSON.stringify(models),
    USAGE_FLUSH_MS: "200",
    BUDGETS: JSON.stringify([
      { subject: "key", period: "day", max_usd: 0.001 },
      { subject: "key:web", period: "minute", max_inputs: 500 },
    ]),
  });
  for (let i = 0; i < 12; i++) {
    await call(OPS, "/v1/embeddings", {
      model: "BAAI/bge-base-en-v1.5",
      input: [`ops text ${i % 5}`, `shared text ${i % 3} about llamas and the andes`],
    });
    await call(WEB, "/v1/embeddings", { model: "BAAI/bge-base-en-v1.5", input: [`web text ${i % 4} with a few more words in it`] });
    await call(WEB, "/v1/rerank", {
      model: "Salesforce/Llama-Rank-v1",
      query: "llamas",
      documents: [`doc ${i % 6} on llamas`, "alpacas", "vicuñas"],
    });
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe("the /usage page in Chromium", () => {
  it("Should ask for a server key, then show requests and hit rate over time, cost and savings per model, top subjects and budgets", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1300 } });
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    // The refused key's 401s are logged by the browser, some after the page has shown its error.
    page.on("console", (m) => m.type() === "error" && !m.text().includes("status of 401") && problems.push(m.text()));
    await page.goto(`${gateway.url}/usage`);
    const csp = (await page.request.get(`${gateway.url}/usage`)).headers()["content-security-policy"];
    expect(csp).toContain("script-src 'self'");

    await page.locator("#credential").fill("not-a-key");
    await page.click("#credential-form button[type=submit]");
    await expect.poll(() => page.textContent("#credential-error")).toMatch(/not a server key/);

    await page.waitForTimeout(600); // the last requests' flush (USAGE_FLUSH_MS = 200)
    await page.locator("#credential").fill(OPS);
    await page.click("#credential-form button[type=submit]");
    await page.waitForSelector("#report:not([hidden])");

    const totals = await page.textContent("#totals");
    expect(totals).toContain("Requests36");
    expect(await page.locator("#traffic svg rect.requests").count()).toBeGreaterThan(0);
    expect(await page.locator("#traffic svg polyline.hitrate").count()).toBe(1);
    const modelLabels = await page.locator("#models svg text.label").allTextContents();
    expect(modelLabels.sort()).toEqual(["BAAI/bge-base-en-v1.5", "Salesforce/Llama-Rank-v1"]);
    const subjects = await page.locator("#subjects tbody td:first-child").allTextContents();
    expect(subjects.sort()).toEqual(["key:ops", "key:web"]);
    const budgets = await page.locator("#budgets .budget").allTextContents();
    expect(budgets.some((b) => b.includes("key:web") && b.includes("of 500 inputs"))).toBe(true);
    expect(budgets.filter((b) => b.includes("max_usd 0.001"))).toHaveLength(2);

    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/usage-page.png", fullPage: true });
    expect(problems.join("\n")).toBe("");
  });
});

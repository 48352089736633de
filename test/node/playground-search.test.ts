// The playground's search panel in a real Chromium against `wrangler dev`: index the texts box into
// a collection, search it with and without rerank, scores and cache badges as the gateway answers.
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../setup/chromium";

const gatewayURL = inject("gatewayURL");
const serverKey = inject("serverKey");

async function api(path: string, body: unknown) {
  const res = await fetch(`${gatewayURL}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${serverKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<any>;
}

describe("the playground's search panel in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ localNetworkAccess: false });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("Should index the texts, then show vector and rerank scores with the cache outcome of each step", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${gatewayURL}/`);
    await page.locator("#credential").fill(serverKey);
    await page.click("#credential-form button[type=submit]");
    await page.waitForFunction(() => !(document.querySelector("#search") as HTMLButtonElement).disabled);

    const name = `playground-${Date.now().toString(36)}`;
    await page.locator("#collection").fill(name);
    await page.click("#index-texts");
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Indexed"));
    const texts = (await page.inputValue("#texts")).split("\n").filter(Boolean);
    // The example texts may be in the item cache already (another page embedded them): then none went upstream.
    expect(await page.textContent("#status")).toMatch(
      new RegExp(`^Indexed: ${texts.length} upserted, 0 unchanged, \\d+ embedded upstream\\.$`),
    );
    await page.waitForFunction((n) => document.querySelector("#collection-note")?.textContent?.startsWith(`${n}:`), name);

    const query = await page.inputValue("#query");
    const rerankModel = await page.inputValue("#rerank-model");
    await page.click("#search");
    await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Found"));
    const expected = await api(`/v1/collections/${name}/query`, { query, top_k: 10, include: ["text"], rerank: { model: rerankModel } });
    expect(await page.locator("#search-results .tag").allTextContents()).toEqual(expected.data.map((d: { id: string }) => d.id));
    expect(await page.locator("#search-results .vector-score").allTextContents()).toEqual(
      expected.data.map((d: { score: number }) => d.score.toFixed(3)),
    );
    expect(await page.locator("#search-results .rerank-score").allTextContents()).toEqual(
      expected.data.map((d: { rerank_score: number }) => d.rerank_score.toFixed(3)),
    );
    // The same search again: the query's embedding and every rerank pair come from the cache.
    await page.click("#search");
    await page.waitForFunction(() => document.querySelector("#search-summary")?.textContent?.includes("rerank"));
    const summary = await page.locator("#search-summary .badge").allTextContents();
    expect(summary).toEqual(["HIT", "HIT"]);

    // Without rerank: vector order, no rerank score.
    await page.uncheck("#search-rerank");
    await page.click("#search");
    await page.waitForFunction(() => document.querySelector("#search-results .rerank-score")?.textContent === "—");
    const plain = await api(`/v1/collections/${name}/query`, { query, top_k: 10 });
    expect(await page.locator("#search-results .tag").allTextContents()).toEqual(plain.data.map((d: { id: string }) => d.id));

    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/playground-search.png", fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

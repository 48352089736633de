// The gateway's own pages in a real Chromium (from @sparticuz/chromium, driven by playwright-core)
// against `wrangler dev` in token mode: the playground at /, the docs at /docs, and /client.js
// imported by a page on another origin.

import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cosine } from "../../client/index";
import { launchChromium } from "../setup/chromium";

const gatewayURL = inject("gatewayURL");
const pageOrigin = inject("pageOrigin");
const serverKey = inject("serverKey");

interface Model {
  id: string;
  type: "embedding" | "rerank";
  dimensions?: number;
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${gatewayURL}${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${serverKey}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<T>;
}

/** The status line once a run has finished, well or badly. */
async function finished(page: Page): Promise<string> {
  await page.waitForFunction(() => ["ok", "error"].includes(document.querySelector("#status")?.className ?? ""));
  return (await page.textContent("#status")) ?? "";
}

/** As the heatmap shows a cosine: two decimals, and no "-0.00". */
const shown = (value: number) => (Math.abs(value) < 0.005 ? 0 : value).toFixed(2);

describe("the gateway's pages in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium({ localNetworkAccess: false });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("Should ask for a credential, then embed, draw the cosine heatmap and rerank with scores, showing the cache and latency of each request", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${gatewayURL}/`);

    // Token mode: /v1/models answers 401, so the page asks; the key stays in the page's memory.
    await page.locator("#credential").fill(serverKey);
    await page.click("#credential-form button[type=submit]");
    await page.waitForFunction(() => !(document.querySelector("#run") as HTMLButtonElement).disabled);
    expect(await page.isHidden("#credential-form")).toBe(true);
    const embedModel = await page.inputValue("#embed-model");
    const rerankModel = await page.inputValue("#rerank-model");
    const listed = (await api<{ data: Model[] }>("/v1/models")).data;
    expect(listed.find((m) => m.id === embedModel)?.type).toBe("embedding");
    expect(listed.find((m) => m.id === rerankModel)?.type).toBe("rerank");

    await page.click("#run");
    expect(await finished(page)).toMatch(/^Done: \d+ texts\.$/);
    const texts = (await page.inputValue("#texts")).split("\n").filter(Boolean);
    const query = await page.inputValue("#query");

    // Heatmap: a query row and texts x texts, every cell a number, equal to the cosines of the gateway's vectors.
    const cells = await page.locator("#heatmap td.cell").allTextContents();
    expect(cells).toHaveLength(texts.length * (texts.length + 1));
    for (const cell of cells) expect(cell).toMatch(/^-?\d\.\d\d$/);
    const { data } = await api<{ data: { embedding: number[] }[] }>("/v1/embeddings", { model: embedModel, input: [query, ...texts] });
    const [q, ...vectors] = data.map((d) => d.embedding);
    const expected = [...vectors.map((v) => cosine(q, v)), ...vectors.flatMap((a) => vectors.map((b) => cosine(a, b)))].map(shown);
    expect(cells).toEqual(expected);

    // Rerank: one bar per text, best first, with the scores the gateway gives.
    const ranked = await api<{ results: { index: number; relevance_score: number }[] }>("/v1/rerank", {
      model: rerankModel,
      query,
      documents: texts,
    });
    const scores = await page.locator("#rerank-results .score").allTextContents();
    expect(scores).toEqual(ranked.results.map((r) => r.relevance_score.toFixed(3)));
    expect(await page.locator("#rerank-results .bar").count()).toBe(texts.length);
    const topBar = await page
      .locator("#rerank-results .bar")
      .first()
      .evaluate((el) => getComputedStyle(el, "::after").width);
    expect(Number.parseFloat(topBar)).toBeGreaterThan(0);
    expect(await page.locator("#matches li").count()).toBeGreaterThan(0);

    // The same texts again: every input now comes from the cache, and the page says so.
    await page.click("#run");
    expect(await finished(page)).toMatch(/^Done/);
    expect(await page.textContent("#embed-summary .badge")).toBe("HIT");
    expect(await page.textContent("#embed-summary")).toContain(`${texts.length + 1} hit / 0 miss`);
    expect(await page.textContent("#embed-summary")).toMatch(/\d+ ms/);
    const log = await page.locator("#request-log tr").allTextContents();
    expect(log.filter((row) => row.startsWith("POST /v1/embeddings200"))).toHaveLength(2);
    expect(log.filter((row) => row.startsWith("POST /v1/rerank200"))).toHaveLength(2);
    expect(log.at(-1)).toMatch(/^GET \/v1\/models401/);

    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/playground.png", fullPage: true });

    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain(serverKey);
    expect(pageErrors).toEqual([]);
  });

  it("Should render the API docs with nothing but the gateway's own files, and no content-security-policy violation", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const requested: string[] = [];
    const violations: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    page.on("console", (message) => /content security policy/i.test(message.text()) && violations.push(message.text()));
    await page.goto(`${gatewayURL}/docs`);

    const operation = (path: string) => page.locator(`.opblock-summary-path[data-path="${path}"]`);
    for (const path of ["/v1/embeddings", "/v1/rerank", "/v1/models", "/v1/tokens"]) await operation(path).waitFor();
    expect((await operation("/v1/embeddings").textContent())?.replace(/\u200b/g, "")).toBe("/v1/embeddings");
    await operation("/v1/embeddings").click();
    await page.getByRole("button", { name: "Try it out" }).first().waitFor();
    await page
      .getByRole("button", { name: /Authorize/ })
      .first()
      .waitFor();

    expect(requested.length).toBeGreaterThan(3);
    // data: URLs (Swagger UI's icons) never leave the page; everything else must be the gateway.
    expect(requested.filter((url) => !url.startsWith("data:") && new URL(url).origin !== gatewayURL)).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("Should let a page on an allowed origin import /client.js from the gateway and embed, and refuse the import to other origins", async () => {
    const model = (await api<{ data: Model[] }>("/v1/models")).data.find((m) => m.type === "embedding" && m.dimensions)!;
    const { token } = await api<{ token: string }>("/v1/tokens", {
      sub: "playground-test",
      origin: pageOrigin,
      ttl_seconds: 300,
      scopes: ["embed"],
    });
    const otherOrigin = "http://localhost:9";
    // What an app's page does with no install: import the client from the gateway in a module script.
    const appPage = `<!doctype html><title>an app</title><script type="module">
      import { createClient } from "${gatewayURL}/client.js";
      window.embedOnce = (token, model) => createClient({ baseURL: "${gatewayURL}", token, model }).embed("imported from another origin").then((v) => v.length);
    </script>`;
    // Both origins are answered inside the browser, so no server has to listen on their ports.
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const consoleErrors: string[] = [];
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    for (const origin of [pageOrigin, otherOrigin])
      await page.route(`${origin}/**`, (route) => route.fulfill({ contentType: "text/html", body: appPage }));

    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction(() => "embedOnce" in window);
    expect(await page.evaluate(([credential, id]) => (window as any).embedOnce(credential, id), [token, model.id] as const)).toBe(
      model.dimensions,
    );

    await page.goto(`${otherOrigin}/`, { waitUntil: "load" });
    expect(await page.evaluate(() => "embedOnce" in window)).toBe(false);
    // A string, so the test runner does not rewrite the browser's import().
    const refused = await page.evaluate(`import("${gatewayURL}/client.js").then(() => "imported", (e) => e.name)`);
    expect(refused).toBe("TypeError");
    expect(consoleErrors.join("\n")).toContain(
      `from origin '${otherOrigin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header`,
    );
  });
});

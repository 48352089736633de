// The browser client in a real Chromium (from @sparticuz/chromium, driven by playwright-core):
// a page on its own origin imports the built client and calls the gateway under `wrangler dev`.

import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../setup/chromium";
import { freePort } from "../setup/wrangler-dev";
import { STAND_IN_API_KEY, standInScore, standInVector } from "../upstream/together-stand-in";

const gatewayURL = inject("gatewayURL");
const pageOrigin = inject("pageOrigin");
const serverKey = inject("serverKey");
const bundle = readFileSync("dist/client/index.js", "utf8");
const collectionsBundle = readFileSync("dist/client/collections.js", "utf8");
const html = readFileSync("test/browser/demo.html", "utf8");

/** The page's origin: static files plus a /token endpoint standing for the app's own backend. */
function pageServer(origin: string): Server {
  return createServer(async (req, res) => {
    if (req.url === "/client.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    if (req.url === "/collections.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(collectionsBundle);
    if (req.url === "/token") {
      const minted = await fetch(`${gatewayURL}/v1/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${serverKey}`, "content-type": "application/json" },
        body: JSON.stringify({ sub: "browser-user", origin, ttl_seconds: 300, scopes: ["embed", "rerank"] }),
      });
      return res.writeHead(200, { "content-type": "text/plain" }).end(((await minted.json()) as { token: string }).token);
    }
    res.writeHead(200, { "content-type": "text/html" }).end(html);
  });
}

const QUESTION = "Which animals live near Peru in South America?";
const DOCUMENTS = [
  "The llama is a camelid from South America, common near Peru.",
  "The giant panda is a bear species endemic to China.",
  "Guanacos are wild camelids that live in South America, including Peru.",
  "Sourdough bread needs flour, water, salt and time.",
  "The wild Bactrian camel lives in Northwest China and Mongolia.",
];

describe("browser client in Chromium", () => {
  let browser: Browser;
  const servers: Server[] = [];
  let otherOrigin = "";

  beforeAll(async () => {
    const pagePort = Number(new URL(pageOrigin).port);
    const otherPort = await freePort();
    otherOrigin = `http://localhost:${otherPort}`;
    for (const [port, origin] of [
      [pagePort, pageOrigin],
      [otherPort, otherOrigin],
    ] as const) {
      const server = pageServer(origin);
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
      servers.push(server);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it("Should embed, rank and rerank from an allowed origin with correct results, and never expose the provider key", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    const seen: string[] = [];
    page.on("response", async (response) => {
      seen.push(JSON.stringify(response.headers()));
      seen.push(await response.text().catch(() => ""));
    });
    await page.goto(pageOrigin);
    const result = await page.evaluate(([url, q, docs]) => (window as any).runDemo(url, q, docs), [
      gatewayURL,
      QUESTION,
      DOCUMENTS,
    ] as const);

    [QUESTION, ...DOCUMENTS].forEach((text, i) =>
      expect(Float32Array.from(result.vectors[i])).toEqual(standInVector("BAAI/bge-large-en-v1.5", text, 1024)),
    );
    const candidates = result.candidates.map((c: { index: number }) => c.index);
    const expectedRerank = [...candidates].sort((a, b) => standInScore(QUESTION, DOCUMENTS[b]) - standInScore(QUESTION, DOCUMENTS[a]));
    expect(result.reranked.map((r: { index: number }) => r.index)).toEqual(expectedRerank);
    expect(await page.textContent("#status")).toBe("done");

    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/browser-demo.png", fullPage: true });

    const pageText = await page.content();
    for (const text of [pageText, bundle, ...seen]) expect(text).not.toContain(STAND_IN_API_KEY);
    expect(seen.length).toBeGreaterThan(4);
  });

  it("Should be refused by CORS from an origin that is not allowed", async () => {
    const page = await browser.newPage();
    await page.goto(otherOrigin);
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(`${url}/v1/embeddings`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "BAAI/bge-large-en-v1.5", input: "x" }),
        });
        return "allowed";
      } catch (e) {
        return (e as Error).name;
      }
    }, gatewayURL);
    expect(outcome).toBe("TypeError");
  });

  it("Should pass the CORS preflight for the allowed origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${gatewayURL}/v1/embeddings`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
    const ok = await preflight(pageOrigin);
    expect(ok.headers.get("access-control-allow-origin")).toBe(pageOrigin);
    expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect((await preflight(otherOrigin)).headers.get("access-control-allow-origin")).toBeNull();
  });
  it("Should search a collection from the page with a token scoped to that collection, and be refused another", async () => {
    const server = { authorization: `Bearer ${serverKey}`, "content-type": "application/json" };
    const run = Date.now().toString(36);
    const [docs, other] = [`browser-docs-${run}`, `browser-other-${run}`];
    for (const name of [docs, other]) {
      await fetch(`${gatewayURL}/v1/collections/${name}`, {
        method: "PUT",
        headers: server,
        body: JSON.stringify({ model: "BAAI/bge-base-en-v1.5" }),
      });
      const records = DOCUMENTS.map((text, i) => ({ id: `d${i}`, text }));
      expect(
        (
          await fetch(`${gatewayURL}/v1/collections/${name}/records`, {
            method: "POST",
            headers: server,
            body: JSON.stringify({ records }),
          })
        ).status,
      ).toBe(200);
    }
    const expected = await (
      await fetch(`${gatewayURL}/v1/collections/${docs}/query`, {
        method: "POST",
        headers: server,
        body: JSON.stringify({ query: QUESTION, top_k: 3, include: ["text"] }),
      })
    ).json();
    const minted = await fetch(`${gatewayURL}/v1/tokens`, {
      method: "POST",
      headers: server,
      body: JSON.stringify({
        sub: "browser-reader",
        origin: pageOrigin,
        ttl_seconds: 300,
        scopes: ["collections:read"],
        collections: [docs],
      }),
    });
    const { token } = (await minted.json()) as { token: string };

    const page = await browser.newPage();
    await page.goto(pageOrigin);
    // As source text: vitest rewrites `import()` in functions it compiles, and this one runs in the page.
    const args = JSON.stringify([gatewayURL, token, docs, other, QUESTION]);
    const outcome = await page.evaluate(`(async ([url, credential, allowed, refused, question]) => {
      const { createClient } = await import("/client.js");
      const { withCollections } = await import("/collections.js");
      const ee = withCollections(createClient({ baseURL: url, token: credential }));
      const hits = await ee.search(allowed, question, { topK: 3, include: ["text"] });
      const error = await ee.search(refused, question).catch((e) => ({ status: e.status, code: e.code }));
      return { hits, error };
    })(${args})`);
    expect((outcome as any).hits).toEqual(
      expected.data.map((d: { id: string; score: number; text: string }) => ({ id: d.id, score: d.score, text: d.text })),
    );
    expect((outcome as any).error).toEqual({ status: 403, code: "collection_not_allowed" });
  });
});

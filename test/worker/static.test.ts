// The playground, the docs page and the browser client as workerd serves them. Static files come
// from the ASSETS binding (what Cloudflare serves before the worker runs: the test runner's
// `exports.default.fetch` bypasses that router, so `/` is fetched from the binding itself);
// /docs and /client.js are worker routes, called through the real worker.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { gateway } from "./gateway";

const ALLOWED = "https://app.example.com"; // ALLOWED_ORIGINS in vitest.config.ts
const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
const asset = (path: string) => assets.fetch(new Request(`https://gateway.test${path}`));

/** Every `src` and `href` in the page. */
const references = (html: string) => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
/** `<script>` elements with a body: forbidden under `script-src 'self'`. */
const inlineScripts = (html: string) =>
  [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\ssrc=/.test(m[1]) || m[2].trim());

function expectStrictScriptPolicy(res: Response) {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toMatch(/(^|;)\s*script-src 'self'\s*(;|$)/);
  expect(csp).toContain("default-src 'none'");
}

describe("the playground at /", () => {
  it("Should serve / as an HTML page under script-src 'self' whose scripts and styles are all served by the gateway", async () => {
    const res = await asset("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expectStrictScriptPolicy(res);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/playground.js">');
    expect(inlineScripts(html)).toEqual([]);
    expect(references(html).filter((url) => !url.startsWith("/") || url.startsWith("//"))).toEqual([]);

    // The page's own modules, one level down from playground.js, are all there as JavaScript.
    const entry = await (await asset("/playground.js")).text();
    const modules = [...entry.matchAll(/from "\.\/(playground\/[\w-]+\.js)"/g)].map((m) => `/${m[1]}`);
    expect(modules.length).toBeGreaterThan(3);
    for (const path of ["/playground.css", "/favicon.svg", ...modules]) {
      const file = await asset(path);
      expect(file.status, path).toBe(200);
      await file.arrayBuffer();
    }
    expect((await asset(modules[0])).headers.get("content-type")).toMatch(/^text\/javascript/);
  });
});

describe("the API docs at /docs", () => {
  it("Should serve /docs as HTML that loads only same-origin files, no inline script, under a strict policy", async () => {
    const gw = gateway();
    const res = await gw.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expectStrictScriptPolicy(res);
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('data-url="/openapi.json"');
    expect(inlineScripts(html)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);

    const refs = references(html);
    expect(refs).toEqual(
      expect.arrayContaining([
        "/docs/vendor/swagger-ui-dist/swagger-ui-bundle.js",
        "/docs/vendor/swagger-ui-dist/swagger-ui.css",
        "/docs/swagger-init.js",
      ]),
    );
    for (const ref of refs) {
      expect(ref.startsWith("/") && !ref.startsWith("//"), ref).toBe(true);
      const file = await asset(ref);
      expect(file.status, ref).toBe(200);
      expect(file.headers.get("content-type"), ref).toMatch(/^(text\/javascript|text\/css|image\/svg\+xml)/);
      await file.arrayBuffer();
    }
  });

  it("Should describe bearer authentication in the OpenAPI document the docs render", async () => {
    const doc = (await (await gateway().request("/openapi.json")).json()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });
});

describe("the browser client at /client.js", () => {
  const get = (path: string, headers: Record<string, string> = {}) => gateway().request(path, { headers });

  it("Should serve the built client as JavaScript with a 5-minute cache, an ETag and a link to its immutable URL", async () => {
    const res = await get("/client.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{16}"$/);
    expect(res.headers.get("link")).toBe(`</client/${res.headers.get("etag")!.slice(1, -1)}.js>; rel="canonical"`);
    const body = await res.text();
    expect(body).toContain("createClient");
    expect(body).not.toContain("sourceMappingURL");
    expect(body).toBe(await (await asset("/client.js")).text());
  });

  it("Should let an allowed origin import the client cross-origin, and give any other origin no CORS grant", async () => {
    const allowed = await get("/client.js", { origin: ALLOWED });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(allowed.headers.get("vary")).toContain("Origin");
    const other = await get("/client.js", { origin: "https://elsewhere.example" });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(other.headers.get("vary")).toContain("Origin");
  });

  it("Should serve the content-hashed URL with the same bytes, cached for a year as immutable, with CORS", async () => {
    const plain = await get("/client.js");
    const hash = plain.headers.get("etag")!.slice(1, -1);
    const hashed = await get(`/client/${hash}.js`, { origin: ALLOWED });
    expect(hashed.status).toBe(200);
    expect(hashed.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(hashed.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(hashed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(await hashed.text()).toBe(await plain.text());
  });

  it("Should answer 304 without a body while the ETag still matches", async () => {
    const etag = (await get("/client.js")).headers.get("etag")!;
    const res = await get("/client.js", { "if-none-match": `W/${etag}` });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.text()).toBe("");
    expect((await get("/client.js", { "if-none-match": '"0000000000000000"' })).status).toBe(200);
  });

  it("Should redirect a hash from an earlier deploy to /client.js, without caching the redirect, and with CORS so imports follow it", async () => {
    const res = await get("/client/0123456789abcdef.js", { origin: ALLOWED });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/client.js");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });
});

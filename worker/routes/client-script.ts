import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { isOriginAllowed } from "../auth/origin-guard";
import { ApiError } from "../errors";

/** The minified client (dist/client/index.js) as scripts/build-assets.mjs puts it in static assets. */
const ASSET_PATH = "/client.js";

/**
 * `/client.js` is the URL people type, so a new deploy must reach them soon: a short cache,
 * revalidated by ETag (a 304 costs no body). `/client/<hash>.js` never changes: cached for a year.
 */
const SHORT_CACHE = "public, max-age=300";
const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";

interface ClientScript {
  body: ArrayBuffer;
  /** First 64 bits of the SHA-256 of `body`, in hex: names the immutable URL and is the ETag. */
  hash: string;
}

// Per isolate: static assets change only with a deploy, and a deploy starts new isolates.
let loaded: ClientScript | undefined;

async function clientScript(c: Context<AppEnv>): Promise<ClientScript> {
  if (loaded) return loaded;
  // `ASSETS` is the [assets] binding of wrangler.toml.
  const assets = c.env.ASSETS as Fetcher | undefined;
  const res = assets ? await assets.fetch(new URL(ASSET_PATH, c.req.url)) : undefined;
  if (!res?.ok) {
    throw new ApiError(
      500,
      "gateway_misconfigured",
      "The browser client is missing from the static assets: run `npm run build` before deploying.",
      { type: "server_error" },
    );
  }
  const body = await res.arrayBuffer();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hash = Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
  loaded = { body, hash };
  return loaded;
}

/** RFC 9110 §13.1.2: a list of entity tags (weak ones compare weakly), or `*`. */
function matchesETag(header: string | undefined, etag: string): boolean {
  return !!header && header.split(",").some((tag) => ["*", etag].includes(tag.trim().replace(/^W\//, "")));
}

/**
 * Allowed pages may import the client cross-origin (module scripts are fetched with CORS, redirects
 * included). The answer differs by Origin, so caches must key on it.
 */
function grantCors(c: Context<AppEnv>): void {
  const origin = c.req.header("origin");
  if (origin && isOriginAllowed(c.get("config").allowedOrigins, origin)) c.header("Access-Control-Allow-Origin", origin);
  c.header("Vary", "Origin");
}

function serve(c: Context<AppEnv>, script: ClientScript, cacheControl: string): Response {
  const etag = `"${script.hash}"`;
  grantCors(c);
  c.header("Cache-Control", cacheControl);
  c.header("ETag", etag);
  c.header("Link", `</client/${script.hash}.js>; rel="canonical"`);
  if (matchesETag(c.req.header("if-none-match"), etag)) return c.body(null, 304);
  c.header("Content-Type", "text/javascript; charset=utf-8");
  return c.body(script.body, 200);
}

/**
 * The browser client, so a plain page can `import { createClient } from "https://<gateway>/client.js"`:
 * - `GET /client.js`: 5-minute cache plus ETag, and a `Link` header naming the immutable URL;
 * - `GET /client/<hash>.js`: the same bytes, cached for a year. A hash from an earlier deploy is
 *   redirected to `/client.js` (uncached) rather than breaking the page that pinned it.
 * CORS is granted to ALLOWED_ORIGINS only, as for the API.
 *
 * @example
 * // <script type="module">
 * import { createClient } from "https://embed.example.com/client.js";
 */
export function registerClientScript(app: OpenAPIHono<AppEnv>): void {
  app.get(ASSET_PATH, async (c) => serve(c, await clientScript(c), SHORT_CACHE));

  // A plain parameter in its own folder: a pattern route at the root (`/:file{client\.…}`) made
  // Hono fall back from its RegExpRouter to the slower TrieRouter for every request, API included.
  app.get("/client/:file", async (c) => {
    const script = await clientScript(c);
    if (c.req.param("file") === `${script.hash}.js`) return serve(c, script, IMMUTABLE_CACHE);
    grantCors(c);
    c.header("Cache-Control", "no-store");
    return c.redirect(ASSET_PATH, 302);
  });
}

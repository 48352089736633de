// Builds the gateway's static assets into dist/assets (wrangler.toml [assets]): the playground from
// public/, the browser client (dist/client/index.js, from `npm run build:client`) and Swagger UI's
// files, so /, /docs and /client.js work offline and under `script-src 'self'`.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

process.chdir(fileURLToPath(new URL("..", import.meta.url)));

const out = "dist/assets";
const client = "dist/client/index.js";
if (!existsSync(client)) throw new Error(`${client} is missing: run npm run build:client first`);

// Emptied, not removed: a running `wrangler dev` keeps watching the folder and picks up the rebuild.
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(out)) rmSync(join(out, entry), { recursive: true, force: true });
cpSync("public", out, { recursive: true });

// Served by worker/routes/client-script.ts (CORS, caching). The source map comment is dropped: the
// map is not served, and a dangling one makes devtools request /index.js.map on every page.
writeFileSync(join(out, "client.js"), readFileSync(client, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
// Collections search, the client's second entry point, for the playground's search panel.
writeFileSync(
  join(out, "client-collections.js"),
  readFileSync("dist/client/collections.js", "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
);

// The paths @hono/swagger-ui derives from its `baseUrl` option: <baseUrl>/swagger-ui-dist/<file>.
const swagger = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const vendor = join(out, "docs", "vendor", "swagger-ui-dist");
mkdirSync(vendor, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) cpSync(join(swagger, file), join(vendor, file));

const size = (/** @type {string} */ file) => {
  const bytes = readFileSync(file);
  return `${(statSync(file).size / 1024).toFixed(0)} KB (${(gzipSync(bytes).length / 1024).toFixed(0)} KB gzip)`;
};
// Before tests the build is silent: a passing `npm test` prints only vitest's summary.
if (process.env.npm_lifecycle_event !== "pretest")
  console.log(
    `assets: ${out}/client.js ${size(join(out, "client.js"))}, swagger-ui-bundle.js ${size(join(vendor, "swagger-ui-bundle.js"))}, swagger-ui.css ${size(join(vendor, "swagger-ui.css"))}`,
  );

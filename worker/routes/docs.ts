import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/**
 * Where Swagger UI's own files are served from: static assets copied from `swagger-ui-dist` by
 * scripts/build-assets.mjs. @hono/swagger-ui appends `/swagger-ui-dist/<file>` to this base.
 */
const VENDOR_BASE = "/docs/vendor";

/**
 * The page may load only what the gateway serves: no CDN, no inline script (the middleware's
 * default page has one; ours starts Swagger UI from /docs/swagger-init.js). Swagger UI draws icons
 * from data: URLs; it sets styles through the CSSOM, which `style-src 'self'` allows (Chromium
 * reports no violation: test/node/playground.test.ts).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function docsHeaders(): MiddlewareHandler<AppEnv> {
  return async function docsHeaders(c, next) {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("Cache-Control", "public, max-age=300");
  };
}

/**
 * `GET /docs`: Swagger UI for `/openapi.json`, with every file served by the gateway itself, so
 * the docs work offline, on a private network and under `script-src 'self'`.
 */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  // How callers authenticate, so the UI offers "Authorize" and sends the bearer header.
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A server key (GATEWAY_KEYS) or a short-lived token from POST /v1/tokens. Not needed in AUTH_MODE=open.",
  });

  app.get(
    "/docs",
    docsHeaders(),
    swaggerUI({
      url: "/openapi.json",
      title: "embed-edge API",
      baseUrl: VENDOR_BASE,
      manuallySwaggerUIHtml: (asset) => `
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        ${asset.css.map((href) => `<link rel="stylesheet" href="${href}" />`).join("")}
        <div id="swagger-ui" data-url="/openapi.json"></div>
        ${asset.js.map((src) => `<script src="${src}" defer></script>`).join("")}
        <script src="/docs/swagger-init.js" defer></script>`,
    }),
  );
}

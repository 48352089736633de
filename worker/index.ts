import { OpenAPIHono } from "@hono/zod-openapi";
import { timing } from "hono/timing";
import type { AppEnv } from "./app-env";
import { ApiError, renderError } from "./errors";
import { access } from "./middleware/access";
import { browserCors } from "./middleware/browser-cors";
import { gatewayConfig } from "./middleware/gateway-config";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { securityHeaders } from "./middleware/security-headers";
import { registerClientScript } from "./routes/client-script";
import { registerCollections } from "./routes/collections";
import { registerDocs } from "./routes/docs";
import { registerEmbeddings } from "./routes/embeddings";
import { registerModels } from "./routes/models";
import { registerRerank } from "./routes/rerank";
import { registerTokens } from "./routes/tokens";
import { registerUsage } from "./routes/usage";
import { registerVectorStores } from "./routes/vector-stores";
import { rejectInvalid } from "./schemas/error";

const app = new OpenAPIHono<AppEnv>({ defaultHook: rejectInvalid });

app.use(requestId());
app.use(requestLog());
app.use(securityHeaders());
app.use(gatewayConfig());
// Server-Timing (store read, upstream, encode) for devtools, readable by exactly the origins CORS let
// read the answer: browserCors (inside this layer) has decided by the time timing writes its headers.
app.use("/v1/*", timing({ total: false, crossOrigin: (c) => c.res.headers.get("access-control-allow-origin") ?? false }));
app.use("/v1/*", browserCors());
app.use(
  "/v1/*",
  access({
    methods: {
      "/v1/embeddings": "POST",
      "/v1/rerank": "POST",
      "/v1/tokens": "POST",
      "/v1/models": "GET, HEAD",
      "/v1/usage": "GET, HEAD",
      "/v1/usage/budgets": "GET, HEAD",
    },
    scopes: { "/v1/embeddings": "embed", "/v1/rerank": "rerank" },
  }),
);

registerEmbeddings(app);
registerRerank(app);
registerModels(app);
registerTokens(app);
registerUsage(app);
registerCollections(app);
registerVectorStores(app);
registerDocs(app);
registerClientScript(app);

app.get("/health", (c) => c.json({ status: "ok" }));
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "embed-edge",
    version: "1",
    description:
      "A Together-compatible embeddings and rerank gateway: each model is routed to the provider that serves it, every input is cached (X-Cache, X-Cache-Hits, X-Cache-Misses, X-Cache-Breakdown, X-Provider, Server-Timing). Errors use Together's {error:{message,type,param,code}} shape. Authenticate with a server key or a token as a Bearer credential (not needed in AUTH_MODE=open).",
  },
  security: [{ bearerAuth: [] }],
  tags: [
    { name: "Embeddings", description: "Vectors, cached per input" },
    { name: "Rerank", description: "Relevance scores, cached per query-document pair" },
    { name: "Models", description: "The catalogue's served models" },
    { name: "Tokens", description: "Short-lived browser tokens (AUTH_MODE=token)" },
    { name: "Usage", description: "Usage, cost, cache savings and budgets (server keys only)" },
    { name: "Collections", description: "Index texts and search them, with optional rerank (README, Collections)" },
  ],
});

app.notFound(() => {
  throw new ApiError(
    404,
    "route_not_found",
    "No such route. The gateway serves POST /v1/embeddings, POST /v1/rerank, GET /v1/models and /v1/collections (GET /openapi.json lists every route).",
  );
});
app.onError(renderError);

export default app;

export { BudgetLedger } from "./budgets/ledger";
export { CollectionObject } from "./collections/collection-object";
export { CollectionRegistry } from "./collections/registry-object";
export { UsageLedger } from "./usage/ledger";

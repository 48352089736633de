import { OpenAPIHono } from "@hono/zod-openapi";
import { timing } from "hono/timing";
import type { AppEnv } from "./app-env";
import { ApiError, renderError } from "./errors";
import { access, accessRules } from "./middleware/access";
import { browserCors } from "./middleware/browser-cors";
import { gatewayConfig } from "./middleware/gateway-config";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { securityHeaders } from "./middleware/security-headers";
import { registerClientScript } from "./routes/client-script";
import { registerCollections } from "./routes/collections";
import { registerDocs } from "./routes/docs";
import { embeddingsRoute, registerEmbeddings } from "./routes/embeddings";
import { modelsRoute, registerModels } from "./routes/models";
import { registerRerank, rerankRoute } from "./routes/rerank";
import { registerTokens, tokensRoute } from "./routes/tokens";
import { budgetsRoute, registerUsage, usageRoute } from "./routes/usage";
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
// Each fixed-path route's methods come from its own definition; the scope a token needs is named here.
app.use(
  "/v1/*",
  access(
    accessRules([
      { route: embeddingsRoute, scope: "embed" },
      { route: rerankRoute, scope: "rerank" },
      { route: modelsRoute },
      { route: tokensRoute },
      { route: usageRoute },
      { route: budgetsRoute },
    ]),
  ),
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

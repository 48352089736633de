import type { TestProject } from "vitest/node";
import { COHERE_STAND_IN_KEY } from "../upstream/cohere-stand-in";
import { OPENAI_STAND_IN_KEY } from "../upstream/openai-stand-in";
import { STAND_IN_API_KEY, startStandIn } from "../upstream/stand-ins";
import { WORKERS_AI_STAND_IN_ACCOUNT, WORKERS_AI_STAND_IN_TOKEN } from "../upstream/workers-ai-stand-in";
import { TEST_MODELS_JSON } from "./test-models";
import { freePort, startWranglerDev } from "./wrangler-dev";

export const SERVER_KEY = "node-suite-server-key-8d2f0b6e91c47a35";
export const TOKEN_SECRET = "node-suite-token-secret-0123456789abcdef01";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamURL: string;
    gatewayURL: string;
    pageOrigin: string;
    pagePort: number;
    serverKey: string;
  }
}

/**
 * One stand-in upstream and one `wrangler dev` gateway (token mode) for the real-client tests.
 * The browser test's page origin is fixed here so it can be in ALLOWED_ORIGINS.
 */
export default async function setup(project: TestProject) {
  const standIn = await startStandIn();
  const pagePort = await freePort();
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const gateway = await startWranglerDev({
    TOGETHER_API_KEY: STAND_IN_API_KEY,
    TOGETHER_BASE_URL: standIn.baseURL("node"),
    WORKERS_AI_BASE_URL: standIn.baseURLFor("workers-ai", "node"),
    WORKERS_AI_ACCOUNT_ID: WORKERS_AI_STAND_IN_ACCOUNT,
    WORKERS_AI_API_TOKEN: WORKERS_AI_STAND_IN_TOKEN,
    OPENAI_BASE_URL: standIn.baseURLFor("openai", "node"),
    OPENAI_API_KEY: OPENAI_STAND_IN_KEY,
    COHERE_BASE_URL: standIn.baseURLFor("cohere", "node"),
    COHERE_API_KEY: COHERE_STAND_IN_KEY,
    AUTH_MODE: "token",
    GATEWAY_KEYS: `suite:${SERVER_KEY}`,
    TOKEN_SECRET,
    ALLOWED_ORIGINS: pageOrigin,
    MODELS: TEST_MODELS_JSON,
    UPSTREAM_RETRIES: "2",
    // Every node test file shares this gateway and its one server key, together past the limiter's 120
    // requests a minute: an SDK's first request then waited out a 429's minute and timed out. Limits
    // are tested in workerd (test/worker/access.test.ts), where each test has its own client.
    RATE_LIMIT: "off",
  });
  project.provide("upstreamURL", standIn.url);
  project.provide("gatewayURL", gateway.url);
  project.provide("pageOrigin", pageOrigin);
  project.provide("pagePort", pagePort);
  project.provide("serverKey", SERVER_KEY);
  return async () => {
    await gateway.stop();
    await standIn.close();
  };
}

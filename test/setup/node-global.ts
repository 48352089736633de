import type { TestProject } from "vitest/node";
import { startStandIn, STAND_IN_API_KEY } from "../upstream/together-stand-in";
import { TEST_MODELS_JSON } from "./test-models";
import { freePort, startWranglerDev } from "./wrangler-dev";

export const SERVER_KEY = "node-suite-server-key-8d2f";
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
    AUTH_MODE: "token",
    GATEWAY_KEYS: `suite:${SERVER_KEY}`,
    TOKEN_SECRET,
    ALLOWED_ORIGINS: pageOrigin,
    MODELS: TEST_MODELS_JSON,
    UPSTREAM_RETRIES: "2",
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

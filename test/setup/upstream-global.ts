import type { TestProject } from "vitest/node";
import { startStandIn } from "../upstream/stand-ins";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamURL: string;
  }
}

/** Starts the Together stand-in once for a test project and hands its URL to the tests. */
export default async function setup(project: TestProject) {
  const standIn = await startStandIn();
  project.provide("upstreamURL", standIn.url);
  return () => standIn.close();
}

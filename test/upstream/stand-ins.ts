// Every stand-in upstream on one server: the entry point tests, their setup and the bench start.
// Each wire format lives in its own file; this one only mounts them side by side.

import { cohereFormat } from "./cohere-stand-in.ts";
import { openAiFormat } from "./openai-stand-in.ts";
import { type StandIn, startStandInServer } from "./stand-in-server.ts";
import { togetherFormat } from "./together-stand-in.ts";
import { workersAiFormat } from "./workers-ai-stand-in.ts";

export { STAND_IN_API_KEY, standInDocumentText, standInScore, standInVector } from "./together-stand-in.ts";
export type { StandIn };

/**
 * Starts the stand-in upstreams on one port: Together at `/t/<tenant>/v1`, Workers AI at
 * `/t/<tenant>/workers-ai/client/v4`, OpenAI at `/t/<tenant>/openai/v1`, Cohere at `/t/<tenant>/cohere/v2`.
 * @example const standIn = await startStandIn(); standIn.baseURLFor("cohere", "my-test")
 */
export function startStandIn(port = 0): Promise<StandIn> {
  return startStandInServer([togetherFormat, workersAiFormat, openAiFormat, cohereFormat], port);
}

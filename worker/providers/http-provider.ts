import type { UpstreamTarget } from "../upstream/upstream-client";
import type { ProviderSettings } from "./settings";
import type { CallContext } from "./types";

/** What every HTTP adapter needs besides its settings: the per-attempt timeout and retry count. */
export interface UpstreamLimits {
  timeoutMs: number;
  retries: number;
}

/** The upstream target for one call: the settings, the limits and the request id (for logs). */
export const targetFor = (settings: ProviderSettings, limits: UpstreamLimits, ctx: CallContext): UpstreamTarget => ({
  provider: settings,
  timeoutMs: limits.timeoutMs,
  retries: limits.retries,
  requestId: ctx.requestId,
});

/** `Authorization: Bearer <key>` when the instance has a key (TEI or Ollama may have none). */
export const bearer = (settings: ProviderSettings): Record<string, string> =>
  settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};

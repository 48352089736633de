import { readUsage, type Usage } from "../common/token-usage";
import { embeddingsResponseCap } from "../upstream/capped-body";
import { postJson, type UpstreamTarget } from "../upstream/upstream-client";
import { openAiStyleVectors } from "./response-shape";
import type { ProviderSettings } from "./settings";
import type { CallContext, RawVector, UpstreamLimits } from "./types";

export type { UpstreamLimits } from "./types";

/** The upstream target for one call: the settings, the limits and the request id (for logs). */
export const targetFor = (settings: ProviderSettings, limits: UpstreamLimits, ctx: CallContext): UpstreamTarget => ({
  provider: settings,
  timeoutMs: limits.timeoutMs,
  retries: limits.retries,
  requestId: ctx.requestId,
  deadline: ctx.deadline,
  attempted: ctx.attempted,
  expectedBytes: ctx.expectedBytes,
});

/** `Authorization: Bearer <key>` when the instance has a key (TEI or Ollama may have none). */
export const bearer = (settings: ProviderSettings): Record<string, string> =>
  settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};

/**
 * `POST {base}/embeddings` in the OpenAI shape, which Together and every OpenAI-compatible API speak:
 * asks for base64, so vectors are never parsed as float JSON (an upstream answering floats anyway is
 * handled the same). `fields` are the request's fields besides `input` and `encoding_format`.
 */
export async function embedOpenAiStyle(
  settings: ProviderSettings,
  limits: UpstreamLimits,
  ctx: CallContext,
  fields: { model: string } & Record<string, unknown>,
  texts: readonly string[],
): Promise<{ vectors: RawVector[]; usage: Usage }> {
  const body = { ...fields, input: texts, encoding_format: "base64" };
  const target = targetFor(settings, limits, ctx);
  const json = (await postJson(target, `${settings.baseURL}/embeddings`, body, bearer(settings), embeddingsResponseCap(texts.length))) as {
    usage?: unknown;
  };
  return { vectors: openAiStyleVectors(settings.name, texts.length, json), usage: readUsage(json.usage) };
}

import { embedOpenAiStyle, type UpstreamLimits } from "../http-provider";
import { keyedInstance, type ProviderDescriptor, type ProviderSettings } from "../settings";
import type { Provider } from "../types";

/**
 * Any OpenAI-compatible embeddings API (OpenAI, Hugging Face TEI, vLLM, Jina, Mistral, Ollama...).
 * Asks for base64, which OpenAI, TEI and vLLM honour; an upstream that answers floats anyway is
 * handled the same. Never sends `dimensions`: the gateway caches the full vector and shortens it
 * itself, so one entry serves every size.
 */
export function openAiProvider(settings: ProviderSettings, limits: UpstreamLimits): Provider {
  const name = settings.name;
  return {
    name,
    kind: "openai",
    namespace: `openai|${settings.baseURL}`,
    cacheable: { embed: true, rerank: true },
    embed: (ctx, model, texts, params) => embedOpenAiStyle(settings, limits, ctx, { ...params, model }, texts),
  };
}

/** Any OpenAI-compatible embeddings API: `OPENAI_API_KEY`, `OPENAI_BASE_URL`; no rerank in that shape. */
export const openai: ProviderDescriptor = {
  kind: "openai",
  defaultBaseURL: "https://api.openai.com/v1",
  serves: { embed: true, rerank: false },
  defaultInstance: (env) => keyedInstance(env, openai, "OPENAI"),
  build: openAiProvider,
};

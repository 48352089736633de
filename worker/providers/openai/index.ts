import { embedOpenAiStyle, type UpstreamLimits } from "../http-provider";
import type { ProviderSettings } from "../settings";
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

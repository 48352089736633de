import { readUsage } from "../../cache/usage";
import { postJson } from "../../upstream/upstream-client";
import { bearer, targetFor, type UpstreamLimits } from "../http-provider";
import { openAiStyleVectors } from "../response-shape";
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
    async embed(ctx, model, texts, params) {
      const body = { ...params, model, input: texts, encoding_format: "base64" };
      const json = (await postJson(targetFor(settings, limits, ctx), `${settings.baseURL}/embeddings`, body, bearer(settings))) as {
        usage?: unknown;
      };
      const vectors = openAiStyleVectors(name, texts.length, json);
      return { vectors, usage: readUsage(json.usage) };
    },
  };
}

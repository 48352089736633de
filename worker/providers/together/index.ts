import { readUsage } from "../../common/token-usage";
import { postJson } from "../../upstream/upstream-client";
import { bearer, embedOpenAiStyle, targetFor, type UpstreamLimits } from "../http-provider";
import { relevanceScores } from "../response-shape";
import { keyedInstance, type ProviderDescriptor, type ProviderSettings } from "../settings";
import type { Provider } from "../types";

/**
 * Together's API (`/embeddings`, `/rerank`), or anything that speaks it. Asks for base64 so vectors
 * are never parsed as float JSON; object documents go up as objects with `rank_fields`, as Together
 * scores them.
 */
export function togetherProvider(settings: ProviderSettings, limits: UpstreamLimits): Provider {
  const name = settings.name;
  return {
    name,
    kind: "together",
    namespace: `together|${settings.baseURL}`,
    cacheable: { embed: true, rerank: true },
    embed: (ctx, model, texts) => embedOpenAiStyle(settings, limits, ctx, { model }, texts),
    async rerank(ctx, model, query, documents) {
      const objects = documents.every((d) => d.object !== undefined);
      const body: Record<string, unknown> = {
        model,
        query,
        documents: objects ? documents.map((d) => d.object) : documents.map((d) => d.text),
        return_documents: false,
      };
      const rankFields = objects ? documents[0]?.rankFields : undefined;
      if (rankFields) body.rank_fields = rankFields;
      const json = (await postJson(targetFor(settings, limits, ctx), `${settings.baseURL}/rerank`, body, bearer(settings))) as {
        usage?: unknown;
      };
      const scores = relevanceScores(name, documents.length, json);
      return { scores, usage: readUsage(json.usage) };
    },
  };
}

/** Together: `TOGETHER_API_KEY`, `TOGETHER_BASE_URL`. */
export const together: ProviderDescriptor = {
  kind: "together",
  defaultBaseURL: "https://api.together.ai/v1",
  serves: { embed: true, rerank: true },
  defaultInstance: (env) => keyedInstance(env, together, "TOGETHER"),
  build: togetherProvider,
};

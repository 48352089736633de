import { estimateRerankUsage, readUsage } from "../../common/token-usage";
import { postJson } from "../../upstream/upstream-client";
import { bearer, targetFor, type UpstreamLimits } from "../http-provider";
import { relevanceScores } from "../response-shape";
import { keyedInstance, type ProviderDescriptor, type ProviderSettings } from "../settings";
import type { Provider } from "../types";

/**
 * Cohere-shaped rerank (`POST {base}/rerank` with `{model, query, documents: string[]}` answering
 * `{results: [{index, relevance_score}]}`): Cohere v2, and Jina with `https://api.jina.ai/v1`.
 * Cohere bills search units, not tokens, so usage is estimated unless the upstream reports tokens (Jina).
 */
export function cohereProvider(settings: ProviderSettings, limits: UpstreamLimits): Provider {
  const name = settings.name;
  return {
    name,
    kind: "cohere",
    namespace: `cohere|${settings.baseURL}`,
    cacheable: { embed: true, rerank: true },
    async rerank(ctx, model, query, documents) {
      const body = { model, query, documents: documents.map((d) => d.text), top_n: documents.length };
      const json = (await postJson(targetFor(settings, limits, ctx), `${settings.baseURL}/rerank`, body, bearer(settings))) as {
        usage?: { total_tokens?: unknown };
      };
      const scores = relevanceScores(name, documents.length, json);
      const reported = readUsage(json.usage);
      const usage =
        reported.total_tokens > 0
          ? reported
          : estimateRerankUsage(
              query,
              documents.map((d) => d.text),
            );
      return { scores, usage };
    },
  };
}

/** Cohere-shaped rerank: `COHERE_API_KEY`, `COHERE_BASE_URL`; no embeddings in that shape. */
export const cohere: ProviderDescriptor = {
  kind: "cohere",
  defaultBaseURL: "https://api.cohere.com/v2",
  serves: { embed: false, rerank: true },
  defaultInstance: (env) => keyedInstance(env, cohere, "COHERE"),
  build: cohereProvider,
};

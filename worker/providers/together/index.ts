import { readUsage } from "../../cache/usage";
import { postJson } from "../../upstream/upstream-client";
import { bearer, targetFor, type UpstreamLimits } from "../http-provider";
import { alignByIndex, badResponse, finiteScore, openAiStyleVectors } from "../response-shape";
import type { ProviderSettings } from "../settings";
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
    async embed(ctx, model, texts) {
      const json = (await postJson(
        targetFor(settings, limits, ctx),
        `${settings.baseURL}/embeddings`,
        { model, input: texts, encoding_format: "base64" },
        bearer(settings),
      )) as {
        usage?: unknown;
      };
      const vectors = openAiStyleVectors(name, texts.length, json);
      return { vectors, usage: readUsage(json.usage) };
    },
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
        results?: Array<{ index?: unknown; relevance_score?: unknown }>;
        usage?: unknown;
      };
      if (!Array.isArray(json?.results)) throw badResponse(name, "no rerank results");
      const scores = alignByIndex(
        name,
        documents.length,
        json.results.map((r) => ({ index: r?.index, value: finiteScore(name, r?.relevance_score) })),
      );
      return { scores, usage: readUsage(json.usage) };
    },
  };
}

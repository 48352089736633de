import { estimateRerankUsage, estimateUsage } from "../../common/token-usage";
import { badUpstreamResponse } from "../../errors";
import { embeddingsResponseCap } from "../../upstream/capped-body";
import { postJson } from "../../upstream/upstream-client";
import { bearer, targetFor, type UpstreamLimits } from "../http-provider";
import { alignByIndex, finiteScore } from "../response-shape";
import { baseURL, checkTransport, type ProviderDescriptor, type ProviderSettings, str } from "../settings";
import type { Provider, RawVector } from "../types";

/** The logistic function: bge-reranker-base answers raw logits; clients expect relevance in 0-1. */
export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Cloudflare Workers AI over its REST API (`POST {base}/accounts/{account}/ai/run/{model}`, the
 * answer wrapped in `{result, success, errors}`): the `[ai]` binding does not run locally, the REST
 * API does the same work from anywhere. Workers AI reports no token counts, so usage is estimated.
 */
export function workersAiProvider(settings: ProviderSettings, limits: UpstreamLimits): Provider {
  const name = settings.name;
  const run = async (
    ctx: Parameters<NonNullable<Provider["embed"]>>[0],
    model: string,
    input: Record<string, unknown>,
    maxBytes?: number,
  ) => {
    // The model id has slashes of its own (`@cf/baai/...`); the path takes it as is, as Cloudflare's docs do.
    const url = `${settings.baseURL}/accounts/${encodeURIComponent(settings.accountId ?? "")}/ai/run/${model}`;
    const json = (await postJson(targetFor(settings, limits, ctx), url, input, bearer(settings), maxBytes)) as {
      success?: boolean;
      result?: unknown;
    };
    if (json?.success === false || json?.result === undefined || json.result === null) throw badUpstreamResponse(name, "no result");
    return json.result as Record<string, unknown>;
  };
  return {
    name,
    kind: "workers-ai",
    namespace: `workers-ai|${settings.baseURL}|${settings.accountId}`,
    cacheable: { embed: true, rerank: true },
    async embed(ctx, model, texts, params) {
      const result = await run(ctx, model, { ...params, text: texts }, embeddingsResponseCap(texts.length));
      // Text embedding models answer `data`; bge-m3 answers `response` for some inputs.
      const rows = (Array.isArray(result.data) ? result.data : result.response) as unknown;
      if (!Array.isArray(rows) || rows.length !== texts.length) throw badUpstreamResponse(name, "a wrong number of embeddings");
      return { vectors: rows as RawVector[], usage: estimateUsage(texts) };
    },
    async rerank(ctx, model, query, documents) {
      const result = await run(ctx, model, { query, contexts: documents.map((d) => ({ text: d.text })), top_k: documents.length });
      const rows = result.response as Array<{ id?: unknown; score?: unknown }> | undefined;
      if (!Array.isArray(rows)) throw badUpstreamResponse(name, "no rerank results");
      const scores = alignByIndex(
        name,
        documents.length,
        rows.map((r) => ({ index: r?.id, value: sigmoid(finiteScore(name, r?.score)) })),
      );
      return {
        scores,
        usage: estimateRerankUsage(
          query,
          documents.map((d) => d.text),
        ),
      };
    },
  };
}

/** Workers AI over its REST API: `WORKERS_AI_ACCOUNT_ID` and `WORKERS_AI_API_TOKEN`, `WORKERS_AI_BASE_URL`. */
export const workersAi: ProviderDescriptor = {
  kind: "workers-ai",
  defaultBaseURL: "https://api.cloudflare.com/client/v4",
  serves: { embed: true, rerank: true },
  needsAccount: true,
  defaultInstance(env) {
    const accountId = str(env, "WORKERS_AI_ACCOUNT_ID");
    const apiKey = str(env, "WORKERS_AI_API_TOKEN");
    const url = baseURL(str(env, "WORKERS_AI_BASE_URL"), workersAi.defaultBaseURL, "WORKERS_AI_BASE_URL");
    checkTransport(url, apiKey, "WORKERS_AI_BASE_URL");
    return {
      name: "workers-ai",
      kind: "workers-ai",
      baseURL: url,
      apiKey,
      accountId,
      vars: ["WORKERS_AI_ACCOUNT_ID", "WORKERS_AI_API_TOKEN"],
      baseVar: "WORKERS_AI_BASE_URL",
      serves: workersAi.serves,
      configured: accountId !== undefined && apiKey !== undefined,
    };
  },
  build: workersAiProvider,
};

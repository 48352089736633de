import { ApiError } from "../errors";
import { readUsage, type Usage } from "../cache/usage";
import { base64LengthFor, floatsToBase64 } from "../codec/vector-base64";
import { postUpstream, type UpstreamContext } from "./upstream-client";

const badResponse = (what: string) => new ApiError(502, "upstream_bad_response", `The upstream answered with ${what}.`);

/**
 * Embeds `texts` upstream and returns each vector as base64 float32, in input order. Asks for
 * base64 so vectors are never parsed as float JSON; an upstream that answers with floats anyway is
 * converted once here.
 */
export async function embedUpstream(
  ctx: UpstreamContext,
  model: string,
  dimensions: number,
  texts: string[],
): Promise<{ values: string[]; usage: Usage }> {
  const json = (await postUpstream(ctx, "/embeddings", { model, input: texts, encoding_format: "base64" })) as {
    data?: Array<{ index?: number; embedding?: unknown }>;
    usage?: unknown;
  };
  if (!Array.isArray(json?.data) || json.data.length !== texts.length) throw badResponse(`a wrong number of embeddings`);
  const values = new Array<string>(texts.length);
  const expectedLength = base64LengthFor(dimensions);
  json.data.forEach((item, position) => {
    const index = Number.isInteger(item?.index) ? item.index! : position;
    let vector = item?.embedding;
    if (Array.isArray(vector)) {
      if (vector.length !== dimensions) throw dimensionError(model, vector.length, dimensions);
      vector = floatsToBase64(vector as number[]);
    }
    if (typeof vector !== "string") throw badResponse("an embedding that is neither floats nor base64");
    if (vector.length !== expectedLength) throw dimensionError(model, Math.floor((vector.length * 3) / 16), dimensions);
    if (index < 0 || index >= texts.length || values[index] !== undefined) throw badResponse("embeddings with bad indices");
    values[index] = vector;
  });
  return { values, usage: readUsage(json.usage) };
}

function dimensionError(model: string, got: number, want: number): ApiError {
  return new ApiError(502, "upstream_dimension_mismatch", `The upstream returned ${got}-dimensional vectors for ${model}, but the gateway is configured for ${want}: fix MODELS.`);
}

/**
 * Scores every document against `query` upstream (no top_n, no documents echoed) and returns the
 * scores as strings aligned with `documents`, ready to cache.
 */
export async function rerankUpstream(
  ctx: UpstreamContext,
  model: string,
  query: string,
  documents: Array<string | Record<string, unknown>>,
  rankFields: string[] | undefined,
): Promise<{ values: string[]; usage: Usage }> {
  const body: Record<string, unknown> = { model, query, documents, return_documents: false };
  if (rankFields) body.rank_fields = rankFields;
  const json = (await postUpstream(ctx, "/rerank", body)) as {
    results?: Array<{ index?: number; relevance_score?: unknown }>;
    usage?: unknown;
  };
  if (!Array.isArray(json?.results) || json.results.length !== documents.length) throw badResponse("a wrong number of rerank results");
  const values = new Array<string>(documents.length);
  for (const result of json.results) {
    const index = result?.index;
    const score = result?.relevance_score;
    if (!Number.isInteger(index) || index! < 0 || index! >= documents.length || values[index!] !== undefined) throw badResponse("rerank results with bad indices");
    if (typeof score !== "number" || !Number.isFinite(score)) throw badResponse("a rerank score that is not a number");
    values[index!] = String(score);
  }
  return { values, usage: readUsage(json.usage) };
}

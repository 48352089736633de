import { badUpstreamResponse } from "../errors";
import type { RawVector } from "./types";

/** Reads `[{index, value}]` results into an array aligned with the request, refusing gaps and repeats. */
export function alignByIndex<T>(provider: string, count: number, items: ReadonlyArray<{ index: unknown; value: T }>): T[] {
  if (items.length !== count) throw badUpstreamResponse(provider, `${items.length} results for ${count} inputs`);
  const out = new Array<T>(count);
  const seen = new Uint8Array(count);
  for (const { index, value } of items) {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= count || seen[index as number]) {
      throw badUpstreamResponse(provider, "results with bad indices");
    }
    seen[index as number] = 1;
    out[index as number] = value;
  }
  return out;
}

/** A score must be a finite number: NaN, Infinity or null from an upstream is a 502, never cached. */
export function finiteScore(provider: string, score: unknown): number {
  if (typeof score !== "number" || !Number.isFinite(score)) throw badUpstreamResponse(provider, "a score that is not a finite number");
  return score;
}

/**
 * Vectors from an OpenAI-style embeddings answer (`{data: [{index, embedding}], usage}`), which
 * Together and every OpenAI-compatible upstream give, aligned with the request's texts.
 */
export function openAiStyleVectors(provider: string, count: number, json: unknown): RawVector[] {
  const data = (json as { data?: Array<{ index?: unknown; embedding?: unknown }> } | null)?.data;
  if (!Array.isArray(data)) throw badUpstreamResponse(provider, "no embeddings");
  return alignByIndex<RawVector>(
    provider,
    count,
    data.map((item, position) => ({ index: item?.index ?? position, value: item?.embedding as RawVector })),
  );
}

/**
 * Scores from a rerank answer of the shape Together and Cohere share (`{results: [{index,
 * relevance_score}]}`), aligned with the request's documents; each must be a finite number.
 */
export function relevanceScores(provider: string, count: number, json: unknown): number[] {
  const results = (json as { results?: Array<{ index?: unknown; relevance_score?: unknown }> } | null)?.results;
  if (!Array.isArray(results)) throw badUpstreamResponse(provider, "no rerank results");
  return alignByIndex(
    provider,
    count,
    results.map((r) => ({ index: r?.index, value: finiteScore(provider, r?.relevance_score) })),
  );
}

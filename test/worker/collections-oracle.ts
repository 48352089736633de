// An independent brute-force oracle for collection queries: vectors from the gateway's own
// /v1/embeddings (the stand-in's), scored in float64 the plain way.
import type { gateway } from "./gateway";

export type Gateway = ReturnType<typeof gateway>;
export type Metric = "cosine" | "dot" | "euclidean";

export async function embed(gw: Gateway, model: string, texts: string[]): Promise<number[][]> {
  const res = await gw.post("/v1/embeddings", { model, input: texts });
  if (res.status !== 200) throw new Error(`embeddings: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: Array<{ embedding: number[] }> };
  return body.data.map((d) => d.embedding);
}

export function similarity(metric: Metric, a: number[], b: number[]): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let dist = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
    dist += (a[i] - b[i]) ** 2;
  }
  if (metric === "cosine") return dot / Math.sqrt(aa * bb);
  if (metric === "dot") return dot;
  return Math.sqrt(dist);
}

/** The ids of the `k` best records for `query`, best first (euclidean: nearest first). */
export function bruteForce(
  metric: Metric,
  query: number[],
  records: Array<{ id: string; vector: number[] }>,
  k: number,
): Array<{ id: string; score: number }> {
  const scored = records.map((r) => ({ id: r.id, score: similarity(metric, query, r.vector) }));
  scored.sort((a, b) => (metric === "euclidean" ? a.score - b.score : b.score - a.score));
  return scored.slice(0, k);
}

export const json = async (res: Response) => {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
};

let counter = 0;
/** A collection name no other test uses. */
export const uniqueName = (prefix = "c") =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;

// The bench's worker for collections: the real CollectionObject behind a small fetch handler that
// fills it with deterministic random unit vectors and queries it, so the bench measures the store.
import { CollectionObject } from "../worker/collections/collection-object";
import type { Metric } from "../worker/collections/types";

export { CollectionObject };

interface Env {
  COLLECTIONS: DurableObjectNamespace<CollectionObject>;
}

/** xorshift32 unit vectors: the same seed gives the same vector in the worker and in the oracle. */
function unitVector(seed: number, dims: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    v[i] = state / 0xffffffff - 0.5;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] /= norm;
  return v;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const p = (name: string) => Number(url.searchParams.get(name));
    const name = url.searchParams.get("name") ?? "bench";
    const stub = env.COLLECTIONS.get(env.COLLECTIONS.idFromName(name));
    const dims = p("dims");
    const uid = `uid-${name}`;
    switch (url.pathname) {
      case "/create": {
        const metric = (url.searchParams.get("metric") ?? "cosine") as Metric;
        const spec = { name, model: "bench", dimensions: dims, metric, created_at: 0, uid };
        return Response.json(await stub.create(spec, "durable-object"));
      }
      case "/fill": {
        const from = p("from");
        const rows = Array.from({ length: p("n") }, (_, i) => ({
          id: `r${from + i}`,
          text: `record ${from + i}`,
          metadata: "",
          hash: `h${from + i}`,
          vector: unitVector(from + i + 1, dims),
        }));
        return Response.json(await stub.write(uid, rows));
      }
      case "/query": {
        const answer = await stub.query(uid, unitVector(1_000_000 + p("seed"), dims), { topK: p("k"), filter: undefined });
        return Response.json(answer);
      }
      case "/exact": {
        // Brute force over the same vectors, outside the object: the recall oracle.
        const q = unitVector(1_000_000 + p("seed"), dims);
        const n = p("n");
        const scored: Array<{ id: string; score: number }> = [];
        for (let i = 0; i < n; i++) {
          const v = unitVector(i + 1, dims);
          let dot = 0;
          for (let j = 0; j < dims; j++) dot += v[j] * q[j];
          scored.push({ id: `r${i}`, score: dot });
        }
        scored.sort((a, b) => b.score - a.score);
        return Response.json(scored.slice(0, p("k")));
      }
      case "/stats":
        return Response.json(await stub.stats());
    }
    return new Response("not found", { status: 404 });
  },
};

// The trivial worker as a baseline, twice, each in its own workerd (a lane's CPU is its process's):
// one answers the gateway's request with the gateway's bytes; the other also makes the gateway's
// binding calls, so the local simulations' CPU can be told apart from the gateway's code.
import { join } from "node:path";
import type { Lane, Sample } from "./measure.ts";
import { bundleWorker, startWorkerd, type WorkerdInstance } from "./workerd-instance.ts";

/** Keys the replayed reads find; at least the most inputs a request may carry. */
const SEEDED_KEYS = 256;

export interface Replay {
  store: "kv" | "d1";
  /** Keys read per request, of which `found` exist; keys written per request (in waitUntil). */
  reads: number;
  found: number;
  writes: number;
  /** Whether the gateway consulted its rate limiter (every /v1 route does). */
  rateLimited: boolean;
}

export interface Baseline {
  /**
   * Lanes to run beside the gateway's: `plain` answers `init` with `sample`'s bytes, status and
   * content type; `replaying` does that and makes the binding calls in `replay`.
   */
  lanes(sample: Sample, init: RequestInit, replay: Replay): Promise<{ plain: Lane; replaying: Lane }>;
  dispose(): Promise<void>;
}

/** One trivial worker with its store seeded and every replay path warmed. */
async function startTrivial(name: string, script: string, valueBytes: number) {
  const instance: WorkerdInstance = await startWorkerd(name, script, {
    compatibilityDate: "2026-11-01",
    kvNamespaces: { STORE_KV: `bench-${name}-kv` },
    d1Databases: { STORE_D1: `bench-${name}-d1` },
    ratelimits: { LIMITER: { namespace_id: "9001", simple: { limit: 1_000_000, period: 60 } } },
  });
  const post = async (path: string, body: BodyInit, method = "POST") =>
    (await instance.dispatch(`http://trivial${path}`, { method, body })).arrayBuffer();
  await post(`/_bench/seed?count=${SEEDED_KEYS}&valueBytes=${valueBytes}`, "");
  await post("/_bench/body?id=warm&status=200&type=text/plain", "warm", "PUT");
  for (let i = 0; i < 40; i++) {
    await post(
      `/warm?body=warm&limit=1&store=${i % 2 ? "kv" : "d1"}&reads=16&found=${i % 17}&writes=${i % 3}&valueBytes=${valueBytes}`,
      "{}",
    );
  }
  const bodies = new Map<string, string>();
  return {
    instance,
    /** The body's id in this worker, uploading it on first use. */
    async bodyId(sample: Sample): Promise<string> {
      const key = `${sample.status} ${sample.contentType} ${sample.body.byteLength}`;
      let id = bodies.get(key);
      if (!id) {
        id = String(bodies.size);
        await post(
          `/_bench/body?${new URLSearchParams({ id, status: String(sample.status), type: sample.contentType })}`,
          sample.body,
          "PUT",
        );
        bodies.set(key, id);
      }
      return id;
    },
  };
}

export async function startBaseline(valueBytes: number): Promise<Baseline> {
  const script = await bundleWorker(join(import.meta.dirname, "trivial-worker.ts"));
  const plain = await startTrivial("trivial", script, valueBytes);
  const replaying = await startTrivial("trivial-bindings", script, valueBytes);

  async function lane(trivial: typeof plain, sample: Sample, init: RequestInit, params: Record<string, string>): Promise<Lane> {
    const query = new URLSearchParams({ body: await trivial.bodyId(sample), valueBytes: String(valueBytes), ...params });
    return { instance: trivial.instance, request: () => ({ url: `http://trivial/v1/embeddings?${query}`, init }) };
  }

  return {
    async lanes(sample, init, replay) {
      const reads = Math.round(replay.reads);
      const params: Record<string, string> = {
        store: replay.store,
        reads: String(reads),
        found: String(Math.min(reads, Math.round(replay.found))),
        writes: String(Math.round(replay.writes)),
      };
      if (replay.rateLimited) params.limit = "1";
      return { plain: await lane(plain, sample, init, {}), replaying: await lane(replaying, sample, init, params) };
    },
    async dispose() {
      await replaying.instance.dispose();
      await plain.instance.dispose();
    },
  };
}

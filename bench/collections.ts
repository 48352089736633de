// Collections in the bench: the Durable Object store's exact query (float32) and int8 query with
// exact rescoring, measured as the CPU of a workerd running only the real CollectionObject; the
// memory it holds; recall@10 against brute force; and the gateway's upsert of 2,048 records whose
// texts are already in the item cache. `node bench/collections.ts` runs this part alone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gatewayVars } from "./gateway-env.ts";
import { gatewaySource } from "./gateway-source.ts";
import { median } from "./measure.ts";
import { num, printTable } from "./table.ts";
import { standInModule } from "./test-fixtures.ts";
import { settle } from "./workerd-cpu.ts";
import { bundleWorker, startWorkerd, type WorkerdInstance } from "./workerd-instance.ts";

const QUERIES = Number(process.env.BENCH_COLLECTION_QUERIES ?? 20);
const SQLITE_DO = { className: "CollectionObject", useSQLite: true };

/** Resident memory of a process, in MB (VmRSS). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

async function json(instance: WorkerdInstance, path: string, init?: RequestInit): Promise<any> {
  const res = await instance.dispatch(`http://bench${path}`, init ?? {});
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** CPU ms per call of `run`, over `n` calls, after the process settles. */
async function cpuPer(
  instance: WorkerdInstance,
  n: number,
  run: (i: number) => Promise<unknown>,
): Promise<{ cpuMs: number; p50Ms: number }> {
  await settle(instance.pid);
  const walls: number[] = [];
  const before = instance.cpuMs();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run(i);
    walls.push(performance.now() - t);
  }
  return { cpuMs: (instance.cpuMs() - before) / n, p50Ms: median(walls) };
}

interface QueryRow {
  shape: string;
  mode: string;
  fillS: number;
  coldMs: number;
  cpuMs: number;
  rpcMs: number;
  p50Ms: number;
  recall: number;
  indexMb: number;
  rssMb: number;
  goal: string;
}

async function measureQuery(count: number, dims: number, goal: string): Promise<QueryRow> {
  const script = await bundleWorker(join(import.meta.dirname, "collections-worker.ts"));
  const store = await startWorkerd(`collections-${count}x${dims}`, script, {
    compatibilityDate: "2026-11-01",
    durableObjects: { COLLECTIONS: SQLITE_DO },
  });
  try {
    const q = `name=c&dims=${dims}`;
    await json(store, `/create?${q}`);
    const rssBefore = rssMb(store.pid);
    const started = performance.now();
    for (let from = 0; from < count; from += 2048) await json(store, `/fill?${q}&from=${from}&n=${Math.min(2048, count - from)}`);
    const fillS = (performance.now() - started) / 1000;
    // The first query loads the vectors from SQLite (the object's cold start).
    const cold = await cpuPer(store, 1, () => json(store, `/query?${q}&seed=0&k=10`));
    const rpc = await cpuPer(store, QUERIES, () => json(store, `/stats?${q}`));
    const warm = await cpuPer(store, QUERIES, (i) => json(store, `/query?${q}&seed=${i + 1}&k=10`));
    let found = 0;
    const checks = Math.min(QUERIES, 10);
    for (let i = 1; i <= checks; i++) {
      const got = new Set((await json(store, `/query?${q}&seed=${i}&k=10`)).matches.map((m: { id: string }) => m.id));
      const exact = (await json(store, `/exact?${q}&seed=${i}&k=10&n=${count}`)) as Array<{ id: string }>;
      found += exact.filter((e) => got.has(e.id)).length;
    }
    const stats = await json(store, `/stats?${q}`);
    return {
      shape: `${count.toLocaleString("en")} x ${dims}`,
      mode: stats.quantized ? "int8 + rescoring" : "float32 exact",
      fillS,
      coldMs: cold.cpuMs,
      cpuMs: warm.cpuMs,
      rpcMs: rpc.cpuMs,
      p50Ms: warm.p50Ms,
      recall: found / (checks * 10),
      indexMb: stats.indexBytes / 2 ** 20,
      rssMb: rssMb(store.pid) - rssBefore,
      goal,
    };
  } finally {
    await store.dispose();
  }
}

/** The gateway's POST /v1/collections/{name}/records with 2,048 texts already in the item cache. */
async function measureUpsert(standIn: {
  baseURL(name: string): string;
}): Promise<{ cpuMs: number; p50Ms: number; embedHitMs: number; unchangedMs: number; rounds: number }> {
  const source = await gatewaySource("EMBED_CACHE_DB");
  const { ratelimits: _, ...options } = source.options;
  const gateway = await startWorkerd("collections-gateway", source.script, {
    ...options,
    bindings: { ...source.options.bindings, ...gatewayVars(standIn.baseURL("collections-gateway")) },
    durableObjects: { COLLECTIONS: SQLITE_DO, COLLECTION_REGISTRY: { className: "CollectionRegistry", useSQLite: true } },
  });
  try {
    const post = (path: string, body: unknown, method = "POST") =>
      json(gateway, path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const model = "BAAI/bge-large-en-v1.5";
    await post("/v1/collections/upsert-bench", { model }, "PUT");
    const rounds = 5;
    const batch = (r: number) => Array.from({ length: 2048 }, (_, i) => `upsert bench round ${r} record ${i}: a passage of text`);
    const upsert = (r: number) =>
      post("/v1/collections/upsert-bench/records", { records: batch(r).map((text, i) => ({ id: `r${r}-${i}`, text })) });
    // Each round's texts are embedded just before its upsert, so they are in the memory tier (as after
    // a page's own /v1/embeddings call); round 0 warms the isolate and is not counted.
    const cpu: number[] = [];
    const walls: number[] = [];
    for (let r = 0; r <= rounds; r++) {
      await post("/v1/embeddings", { model, input: batch(r), encoding_format: "base64" });
      const one = await cpuPer(gateway, 1, async () => {
        const answer = await upsert(r);
        if (answer.embedded !== 0) throw new Error(`the upsert bench expected cached texts, ${answer.embedded} went upstream`);
      });
      if (r > 0) {
        cpu.push(one.cpuMs);
        walls.push(one.p50Ms);
      }
    }
    // The same 2,048 records again: unchanged, so nothing is embedded or written (hashes and one lookup).
    const unchanged = await cpuPer(gateway, 3, () => upsert(rounds));
    // For scale: the same 2,048 texts as a plain /v1/embeddings hit (the embedding step of the upsert).
    const hit = await cpuPer(gateway, 3, () => post("/v1/embeddings", { model, input: batch(rounds), encoding_format: "base64" }));
    const measured = { cpuMs: median(cpu), p50Ms: median(walls), embedHitMs: hit.cpuMs, unchangedMs: unchanged.cpuMs };
    return { ...measured, rounds };
  } finally {
    await gateway.dispose();
  }
}

/** Runs the collections part of the bench and prints its tables. */
export async function collectionsBench(standIn?: { baseURL(name: string): string }): Promise<void> {
  const own = standIn ? undefined : await standInModule.startStandIn();
  try {
    const rows = [await measureQuery(10_000, 1024, "≤ 10"), await measureQuery(100_000, 384, "≤ 40")];
    const upsert = await measureUpsert(standIn ?? own!);
    console.log("\ncollections, Durable Object store: one query = embedding (cached) + this; CPU of a workerd running only the object");
    printTable([
      [
        "records",
        "scan",
        "fill s",
        "cold load ms",
        "query cpu ms",
        "rpc-only cpu",
        "store cpu ms",
        "goal",
        "p50 ms",
        "recall@10",
        "index MB",
        "RSS +MB",
      ],
      ...rows.map((r) => [
        r.shape,
        r.mode,
        num(r.fillS, 1),
        num(r.coldMs, 1),
        num(r.cpuMs),
        num(r.rpcMs),
        num(r.cpuMs - r.rpcMs),
        r.goal,
        num(r.p50Ms),
        num(r.recall, 3),
        num(r.indexMb, 1),
        num(r.rssMb, 0),
      ]),
    ]);
    console.log(
      `upsert of 2,048 already-embedded records (1024 dims) through the gateway: ${num(upsert.cpuMs, 1)} ms workerd CPU per request, p50 ${num(upsert.p50Ms, 1)} ms (goal ≤ 100; ${upsert.rounds} requests); the same records sent again (unchanged): ${num(upsert.unchangedMs, 1)} ms; for scale, /v1/embeddings of the same 2,048 texts as a cache hit: ${num(upsert.embedHitMs, 1)} ms`,
    );
    console.log("(a Durable Object may use 128 MB; RSS +MB is the whole workerd process's growth, SQLite's page cache included)");
  } finally {
    await own?.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await collectionsBench();

// `npm run bench`: latency, bytes and upstream calls through the gateway under `wrangler dev`,
// plus the worker's own CPU per request measured in-process. Prints numbers; asserts nothing.
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TEST_MODELS_JSON } from "../test/setup/test-models.ts";
import { startWranglerDev } from "../test/setup/wrangler-dev.ts";
import { STAND_IN_API_KEY, startStandIn } from "../test/upstream/together-stand-in.ts";

const MODEL = "BAAI/bge-large-en-v1.5";
const SIZES = [1, 16, 100];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const run = Date.now().toString(36);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const texts = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `bench ${run} ${tag} text number ${i} about embeddings at the edge`);

let requestNo = 0;
async function timed(url: string, body: unknown, headers: Record<string, string> = {}) {
  // A distinct client address per request keeps the per-client rate limiter out of the numbers.
  headers = { "cf-connecting-ip": `198.51.100.${++requestNo % 250}`, ...headers };
  const started = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const answer = await res.arrayBuffer();
  const bytes = answer.byteLength;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${new TextDecoder().decode(answer).slice(0, 300)}`);
  return { ms: performance.now() - started, bytes, cache: res.headers.get("x-cache") };
}

const standIn = await startStandIn();
const gateway = await startWranglerDev({
  TOGETHER_API_KEY: STAND_IN_API_KEY,
  TOGETHER_BASE_URL: standIn.baseURL("bench"),
  AUTH_MODE: "open",
  MODELS: TEST_MODELS_JSON,
  MAX_INPUTS: "256",
});
const calls = () => standIn.tenant("bench").calls.embeddings;

try {
  console.log(`embed-edge bench: ${MODEL} (1024 dims), stand-in upstream on loopback, gateway under wrangler dev, ${ROUNDS} rounds, medians\n`);
  const rows: string[][] = [["inputs", "direct upstream ms", "gateway miss ms", "miss overhead ms", "gateway hit ms (base64)", "hit ms (float)", "float bytes", "base64 bytes", "upstream calls (miss/hit)"]];
  for (const n of SIZES) {
    const direct: number[] = [], miss: number[] = [], hit: number[] = [], hitFloat: number[] = [];
    let floatBytes = 0, base64Bytes = 0, missCalls = 0, hitCalls = 0;
    // Warm both paths once.
    await timed(`${standIn.baseURL("bench")}/embeddings`, { model: MODEL, input: texts(n, "warm"), encoding_format: "base64" }, { authorization: `Bearer ${STAND_IN_API_KEY}` });
    await timed(`${gateway.url}/v1/embeddings`, { model: MODEL, input: texts(n, "warm2"), encoding_format: "base64" });
    for (let r = 0; r < ROUNDS; r++) {
      direct.push((await timed(`${standIn.baseURL("bench")}/embeddings`, { model: MODEL, input: texts(n, `d${r}`), encoding_format: "base64" }, { authorization: `Bearer ${STAND_IN_API_KEY}` })).ms);
      const before = calls();
      const input = texts(n, `m${r}`);
      miss.push((await timed(`${gateway.url}/v1/embeddings`, { model: MODEL, input, encoding_format: "base64" })).ms);
      missCalls += calls() - before;
      await new Promise((resolve) => setTimeout(resolve, 20)); // let waitUntil's KV writes land
      const beforeHit = calls();
      const b64 = await timed(`${gateway.url}/v1/embeddings`, { model: MODEL, input, encoding_format: "base64" });
      const flt = await timed(`${gateway.url}/v1/embeddings`, { model: MODEL, input, encoding_format: "float" });
      hitCalls += calls() - beforeHit;
      if (b64.cache !== "HIT" || flt.cache !== "HIT") throw new Error(`expected cache hits, got ${b64.cache}/${flt.cache}`);
      hit.push(b64.ms);
      hitFloat.push(flt.ms);
      base64Bytes = b64.bytes;
      floatBytes = flt.bytes;
    }
    rows.push([
      String(n), median(direct).toFixed(2), median(miss).toFixed(2), (median(miss) - median(direct)).toFixed(2),
      median(hit).toFixed(2), median(hitFloat).toFixed(2), String(floatBytes), String(base64Bytes), `${missCalls / ROUNDS}/${hitCalls / ROUNDS}`,
    ]);
  }
  printTable(rows);

  // Coalescing: identical concurrent misses share one upstream call.
  const same = texts(16, "concurrent");
  const before = calls();
  standIn.tenant("bench").faults.push({ kind: "delay", ms: 100, times: 1 });
  await Promise.all(Array.from({ length: 10 }, () => timed(`${gateway.url}/v1/embeddings`, { model: MODEL, input: same, encoding_format: "base64" })));
  console.log(`\n10 concurrent identical requests of 16 new inputs: ${calls() - before} upstream call(s)`);

  await cpuBench();
} catch (err) {
  console.error(gateway.output.join("").split("\n").filter((l) => /unhandled|error/i.test(l) && !/Request\.cf|ENOTFOUND|getaddrinfo|callbackTrampoline/i.test(l)).slice(0, 10).join("\n"));
  throw err;
} finally {
  await gateway.stop();
  await standIn.close();
}

function printTable(rows: string[][]) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padStart(widths[c])).join("  "));
}

/**
 * The worker's own CPU per request, measured in this Node process (same V8 engine) by running the
 * bundled worker against an in-memory KV. Node 22 lacks the native Uint8Array base64/hex methods
 * workerd has, so Buffer-backed stand-ins (also native code) fill them in for this measurement.
 */
async function cpuBench() {
  const proto = Uint8Array.prototype as any;
  proto.toBase64 ??= function (this: Uint8Array) { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("base64"); };
  proto.toHex ??= function (this: Uint8Array) { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString("hex"); };
  (Uint8Array as any).fromBase64 ??= (s: string) => new Uint8Array(Buffer.from(s, "base64"));
  // workerd hashes in the calling thread (BoringSSL); Node's WebCrypto hops to a thread pool and
  // would add ~2 ms per 100 digests that workerd does not pay, so hash in-thread here too.
  const { createHash } = await import("node:crypto");
  const subtle = crypto.subtle as any;
  const digest = subtle.digest.bind(subtle);
  subtle.digest = async (alg: string, data: Uint8Array) =>
    alg === "SHA-256" ? new Uint8Array(createHash("sha256").update(data).digest()).buffer : digest(alg, data);

  const outfile = join(mkdtempSync(join(tmpdir(), "embed-edge-bench-")), "worker.mjs");
  await build({ entryPoints: ["worker/index.ts"], bundle: true, format: "esm", platform: "browser", conditions: ["workerd", "worker", "browser"], outfile, logLevel: "error" });
  const app = (await import(pathToFileURL(outfile).href)).default;
  const store = new Map<string, string>();
  const kv = {
    async get(key: string | string[]) {
      return Array.isArray(key) ? new Map(key.map((k) => [k, store.get(k) ?? null])) : (store.get(key) ?? null);
    },
    async put(key: string, value: string) { store.set(key, value); },
  };
  const env = { EMBED_CACHE: kv, TOGETHER_API_KEY: STAND_IN_API_KEY, TOGETHER_BASE_URL: standIn.baseURL("cpu"), AUTH_MODE: "open", MODELS: TEST_MODELS_JSON };
  const pending: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => pending.push(p), passThroughOnException() {} };
  /** CPU microseconds the worker spends until it hands back its Response (reading the body is Node's cost, not the worker's). */
  const call = async (input: string[], format: string) => {
    const request = new Request("http://gateway/v1/embeddings", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: MODEL, input, encoding_format: format }) });
    const start = process.cpuUsage();
    const res = await app.fetch(request, env, ctx);
    const used = process.cpuUsage(start);
    await res.text();
    return used.user + used.system;
  };
  const print = console.log.bind(console);
  console.log = console.warn = () => {}; // the worker's own request log lines
  print("\nworker CPU per request (in-process, hit path, 1024 dims):");
  for (const n of SIZES) {
    const input = texts(n, "cpu");
    await call(input, "base64");
    await Promise.all(pending);
    for (const format of ["base64", "float"]) {
      for (let i = 0; i < 20; i++) await call(input, format); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < 200; i++) samples.push(await call(input, format));
      print(`  ${String(n).padStart(3)} inputs, ${format.padEnd(6)}: median ${(median(samples) / 1000).toFixed(3)} ms, mean ${(samples.reduce((a, b) => a + b) / samples.length / 1000).toFixed(3)} ms`);
    }
  }
}

// The most expensive requests the gateway accepts, and a few it must refuse cheaply (issue 16): each
// scenario in a fresh workerd of its own, so the process's numbers are that request's. CPU is the
// workerd process's, all threads (/proc/<pid>/task/*/schedstat); memory is the process's resident
// set: its peak (VmHWM, reset just before the request by writing 5 to /proc/<pid>/clear_refs) minus
// what it held just before (VmRSS). Resident memory, not the V8 heap: it is what an independent check
// reads from outside, and it includes everything the request made workerd allocate (the isolate's
// heap, response buffers, the local KV simulation). Run alone with `node bench/expensive.ts`
// (BENCH_REF=<commit> measures an older revision, to compare before and after).
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gatewayVars } from "./gateway-env.ts";
import { type GatewaySource, gatewaySource } from "./gateway-source.ts";
import { median } from "./measure.ts";
import { num, printTable } from "./table.ts";
import { openAiStandIn, standInModule } from "./test-fixtures.ts";
import { cpuMs, settle } from "./workerd-cpu.ts";
import { startWorkerd, type WorkerdInstance } from "./workerd-instance.ts";

type StandIn = Awaited<ReturnType<typeof standInModule.startStandIn>>;

interface Scenario {
  name: string;
  path: string;
  /** The measured request's body; `rep` makes a fresh one per repetition when it must be a miss. */
  body(rep: number): string;
  /** Requests sent first (once), so the measured one is a cache hit. */
  prime?: string[];
  headers?: Record<string, string>;
  expect: number;
}

export interface ExpensiveRow {
  scenario: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
  cpuMs: number;
  peakMb: number;
}

const REPS = Number(process.env.BENCH_EXPENSIVE_REPS ?? 3);
const LARGE = "text-embedding-3-large";
const MODEL_1024 = "BAAI/bge-large-en-v1.5";
const RERANK = "Salesforce/Llama-Rank-v1";
const json = (value: unknown) => JSON.stringify(value);
const kb = (pid: number, field: "VmHWM" | "VmRSS") =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);
/** Words nobody repeats: the costliest text for the lexical models (every word new to the vocabulary). */
const noise = (seed: string, chars: number) => {
  let out = "";
  for (let i = 0; out.length < chars; i++) out += `${seed}${i.toString(36)}x `;
  return out.slice(0, chars);
};

function scenarios(): Scenario[] {
  const same = Array.from({ length: 2048 }, () => "a");
  const distinct = Array.from({ length: 2048 }, (_, i) => `distinct input ${i}`);
  const fields = Array.from({ length: 64 }, (_, i) => `field_${i}`);
  const documents = Array.from({ length: 1000 }, (_, d) => Object.fromEntries(fields.map((f) => [f, `${f} of document ${d}`])));
  const rerankBody = json({ model: RERANK, query: "which document", documents, rank_fields: fields });
  return [
    {
      name: "2048 x 'a', float, 1024 dims, hit",
      path: "/v1/embeddings",
      body: () => json({ model: MODEL_1024, input: same }),
      prime: [json({ model: MODEL_1024, input: same })],
      expect: 200,
    },
    {
      name: "2048 distinct, float, 1024 dims, hit",
      path: "/v1/embeddings",
      body: () => json({ model: MODEL_1024, input: distinct }),
      prime: [json({ model: MODEL_1024, input: distinct, encoding_format: "base64" })],
      expect: 200,
    },
    {
      // The largest base64 answer MAX_RESPONSE_VALUES (2048 x 1024) allows, missed: KV writes included.
      name: "2048 distinct, base64, 1024 dims, miss",
      path: "/v1/embeddings",
      body: (rep) => json({ model: MODEL_1024, input: distinct.map((t) => `${t} miss ${rep}`), encoding_format: "base64" }),
      expect: 200,
    },
    {
      // Without the store writes, which in workerd run the local KV simulation in the same process.
      name: "2048 distinct, base64, 1024 dims, miss, no-store",
      path: "/v1/embeddings",
      headers: { "cache-control": "no-store" },
      body: (rep) => json({ model: MODEL_1024, input: distinct.map((t) => `${t} no-store ${rep}`), encoding_format: "base64" }),
      expect: 200,
    },
    {
      // A 3072-dimension model's most: 682 inputs.
      name: "682 distinct, base64, 3072 dims, miss, no-store",
      path: "/v1/embeddings",
      headers: { "cache-control": "no-store" },
      body: (rep) => json({ model: LARGE, input: distinct.slice(0, 682).map((t) => `${t} large ${rep}`), encoding_format: "base64" }),
      expect: 200,
    },
    {
      name: "2048 distinct, float, 1024 dims, miss, no-store",
      path: "/v1/embeddings",
      headers: { "cache-control": "no-store" },
      body: (rep) => json({ model: MODEL_1024, input: distinct.map((t) => `${t} float ${rep}`) }),
      expect: 200,
    },
    { name: "1,000 object docs x 64 rank_fields, hit", path: "/v1/rerank", body: () => rerankBody, prime: [rerankBody], expect: 200 },
    {
      // no-store: the local KV simulation's 2048 writes would otherwise dominate (they cost no worker CPU deployed).
      name: "local embed, 200,000 chars (2048 inputs), miss",
      path: "/v1/embeddings",
      headers: { "cache-control": "no-store" },
      body: (rep) => json({ model: "local/lexical-embed", input: Array.from({ length: 2048 }, (_, i) => noise(`r${rep}i${i}w`, 97)) }),
      expect: 200,
    },
    {
      name: "local rerank, 200,000 chars (1,000 docs)",
      path: "/v1/rerank",
      body: (rep) =>
        json({ model: "local/bm25-rerank", query: "q", documents: Array.from({ length: 1000 }, (_, d) => noise(`r${rep}d${d}w`, 199)) }),
      expect: 200,
    },
    {
      name: "refused: 2048 x 'a', float, 3072 dims (MAX_RESPONSE_VALUES)",
      path: "/v1/embeddings",
      body: () => json({ model: LARGE, input: same }),
      // One small request first, so the row is the refusal's cost, not the isolate's first-request set-up.
      prime: [json({ model: LARGE, input: "warm up", encoding_format: "base64" })],
      expect: 400,
    },
    {
      name: "refused: 2048 distinct, base64, 3072 dims (MAX_RESPONSE_VALUES)",
      path: "/v1/embeddings",
      body: () => json({ model: LARGE, input: distinct, encoding_format: "base64" }),
      // One small request first, so the row is the refusal's cost, not the isolate's first-request set-up.
      prime: [json({ model: LARGE, input: "warm up", encoding_format: "base64" })],
      expect: 400,
    },
    {
      name: "refused: 1.9M one-letter inputs",
      path: "/v1/embeddings",
      body: () => `{"model":"${LARGE}","input":[${'"a",'.repeat(1_900_000)}"a"]}`,
      expect: 400,
    },
    {
      name: "refused: 10 docs x 200,000 rank_fields",
      path: "/v1/rerank",
      body: () =>
        json({
          model: RERANK,
          query: "q",
          documents: Array.from({ length: 10 }, () => ({})),
          rank_fields: Array.from({ length: 200_000 }, (_, i) => `f${i}`),
        }),
      expect: 400,
    },
    {
      name: "refused: 10 documents of 50,000 fields",
      path: "/v1/rerank",
      body: () =>
        json({
          model: RERANK,
          query: "q",
          documents: Array.from({ length: 10 }, (_, d) => Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`d${d}f${i}`, 1]))),
        }),
      expect: 400,
    },
    {
      name: "refused: a document 200,000 levels deep",
      path: "/v1/rerank",
      body: () => `{"model":"${RERANK}","query":"q","documents":[${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}]}`,
      expect: 400,
    },
  ];
}

/** Reads an answer to its end without keeping it: the bench process must not be what runs out of memory. */
async function drain(res: Response): Promise<number> {
  if (!res.body) return 0;
  let bytes = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

async function measureOne(instance: WorkerdInstance, scenario: Scenario): Promise<ExpensiveRow> {
  const post = (body: string): RequestInit => ({
    method: "POST",
    body,
    headers: { "content-type": "application/json", "accept-encoding": "identity", ...scenario.headers },
  });
  const url = `http://gateway${scenario.path}`;
  for (const body of scenario.prime ?? []) await drain(await instance.dispatch(url, post(body)));
  const cpu: number[] = [];
  let peakKb = 0;
  let status = 0;
  let responseBytes = 0;
  let requestBytes = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const body = scenario.body(rep);
    requestBytes = Buffer.byteLength(body);
    await settle(instance.pid);
    const idle = kb(instance.pid, "VmRSS");
    writeFileSync(`/proc/${instance.pid}/clear_refs`, "5");
    const before = cpuMs(instance.pid);
    const res = await instance.dispatch(url, post(body));
    status = res.status;
    responseBytes = await drain(res);
    await settle(instance.pid);
    cpu.push(cpuMs(instance.pid) - before);
    peakKb = Math.max(peakKb, kb(instance.pid, "VmHWM") - idle);
  }
  // Reported, not thrown: an older revision (BENCH_REF) answers some of these differently.
  if (status !== scenario.expect) console.warn(`${scenario.name}: HTTP ${status}, expected ${scenario.expect}`);
  return { scenario: scenario.name, status, requestBytes, responseBytes, cpuMs: median(cpu), peakMb: peakKb / 1024 };
}

/** Each scenario in its own new workerd (memory tier on, KV store, no rate limiter), disposed after. */
export async function measureMostExpensive(source: GatewaySource, standIn: StandIn): Promise<ExpensiveRow[]> {
  const rows: ExpensiveRow[] = [];
  const only = process.env.BENCH_EXPENSIVE_ONLY;
  for (const [i, scenario] of scenarios().entries()) {
    if (only && !scenario.name.includes(only)) continue;
    const name = `expensive-${i}`;
    const { ratelimits: _unused, ...options } = source.options;
    const instance = await startWorkerd(name, source.script, {
      ...options,
      bindings: {
        ...source.options.bindings,
        ...gatewayVars(standIn.baseURL(name), {
          CACHE_STORE: "kv",
          LOCAL_PROVIDER: "on",
          OPENAI_BASE_URL: standIn.baseURLFor("openai", name),
          OPENAI_API_KEY: openAiStandIn.OPENAI_STAND_IN_KEY,
        }),
      },
    });
    try {
      rows.push(await measureOne(instance, scenario));
    } finally {
      await instance.dispose();
    }
  }
  return rows;
}

export function printMostExpensive(rows: readonly ExpensiveRow[], label: string): void {
  console.log(`\nmost expensive accepted request (and cheap refusals), ${label}: one fresh workerd per row, median of ${REPS}`);
  printTable([
    ["scenario", "status", "request bytes", "response bytes", "workerd cpu ms", "peak RSS over idle MB"],
    ...rows.map((r) => [r.scenario, String(r.status), String(r.requestBytes), String(r.responseBytes), num(r.cpuMs, 1), num(r.peakMb, 1)]),
  ]);
  console.log("    peak RSS over idle: VmHWM (reset before the request via /proc/<pid>/clear_refs) − VmRSS just before; goal ≤ 64 MB");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const standIn = await standInModule.startStandIn();
  try {
    const source = await gatewaySource("EMBED_CACHE_DB");
    printMostExpensive(await measureMostExpensive(source, standIn), source.label);
  } finally {
    await standIn.close();
  }
}

// `npm run bench`: the bundled gateway in workerd (Miniflare's API, no `wrangler dev` proxy) against
// the stand-in upstream. Per scenario: latency, the workerd process's CPU per request from /proc,
// the same for a trivial worker answering the same bytes (and making the same binding calls), bytes,
// store operations and upstream calls; then what a million requests cost per store. Prints numbers;
// asserts nothing. BENCH_ROUNDS (default 20) scales every batch: fewer rounds, a quicker and rougher run.
import { type Baseline, startBaseline } from "./baseline.ts";
import { storeOperations } from "./cache-headers.ts";
import { breakEvenHitRate, type CostParams, directCost, gatewayCost, type StoreProfile } from "./cost.ts";
import { measureMostExpensive, printMostExpensive } from "./expensive.ts";
import { catalogueEntry, gatewayVars } from "./gateway-env.ts";
import { gatewaySource } from "./gateway-source.ts";
import { type Batch, type BatchLimits, median, type RequestFactory, runLanes, send } from "./measure.ts";
import { PRICES } from "./prices.ts";
import { type SideBySide, sideBySide, trivialScript } from "./side-by-side.ts";
import { num, percent, printTable, usd } from "./table.ts";
import { standInModule } from "./test-fixtures.ts";
import { benchUsage } from "./usage.ts";
import { CPU_TICK_MS, settle } from "./workerd-cpu.ts";
import { startWorkerd, type WorkerdInstance } from "./workerd-instance.ts";

const MODEL = "BAAI/bge-large-en-v1.5";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/** By default the gateway runs 20 requests, then on until its workerd used 250 ms CPU (25 /proc ticks) or 3 s passed. */
const LIMITS: BatchLimits = { minRequests: ROUNDS, minCpuMs: (ROUNDS * 5 * CPU_TICK_MS) / 4, maxMs: ROUNDS * 150 };
const COST_INPUTS = Number(process.env.BENCH_COST_INPUTS ?? 16);
const TOKENS_PER_INPUT = Number(process.env.BENCH_TOKENS_PER_INPUT ?? 250);
const COST_FORMAT = process.env.BENCH_COST_FORMAT === "float" ? "float" : "base64";
const HIT_RATES = [0, 0.5, 0.9, 0.99];
const SIZES = [...new Set([1, 16, 100, COST_INPUTS])].sort((a, b) => a - b);
const FORMATS = ["base64", "float"] as const;
const D1_BINDING = "EMBED_CACHE_DB";
const RUN = Date.now().toString(36);
/** `BENCH_ONLY=goals`: just the side-by-side measurement of the brief's goals (about a minute). */
const GOALS_ONLY = process.env.BENCH_ONLY === "goals";

type Format = (typeof FORMATS)[number];
type Store = "kv" | "d1";

const model = catalogueEntry(MODEL);
const dimensions = Number(model.dimensions);
/** A stored vector: base64 of float32s. */
const valueBytes = Math.ceil((dimensions * 4) / 3) * 4;
const modelPrice = typeof model.price_per_million_tokens === "number" ? model.price_per_million_tokens : null;

// About four characters a token, so inputs are as long as the cost table assumes.
const FILLER = "the gateway caches each input once and serves it again from the edge without asking the upstream model ";
const text = (tag: string, i: number) =>
  `${RUN} ${tag} ${i} ${FILLER.repeat(Math.ceil((TOKENS_PER_INPUT * 4) / FILLER.length))}`.slice(0, TOKENS_PER_INPUT * 4);
const texts = (tag: string, n: number) => Array.from({ length: n }, (_, i) => text(tag, i));

let clients = 0;
/** A distinct client address per request keeps the per-client rate limit out of the way. */
function post(body: string): RequestInit {
  const c = ++clients;
  return {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "accept-encoding": "identity",
      "cf-connecting-ip": `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`,
    },
  };
}
const embed =
  (input: string[], format: Format): RequestFactory =>
  () => ({ url: "http://gateway/v1/embeddings", init: post(JSON.stringify({ model: MODEL, input, encoding_format: format })) });

/** The same request as a page on an allowed origin sends it (ALLOWED_ORIGINS in bench/gateway-env.ts). */
const fromBrowser =
  (request: RequestFactory): RequestFactory =>
  (i) => {
    const { url, init } = request(i);
    return { url, init: { ...init, headers: { ...(init.headers as Record<string, string>), origin: "https://app.example.com" } } };
  };

interface Gateway extends WorkerdInstance {
  calls(): number;
}

interface Row {
  scenario: string;
  store: Store;
  inputs: number;
  format: string;
  batch: Batch;
  trivialMs: number;
  bindingsMs: number;
}

const standIn = await standInModule.startStandIn();
const instances: Array<{ dispose(): Promise<void> }> = [];
try {
  const source = await gatewaySource(D1_BINDING);
  async function startGateway(name: string, vars: Record<string, string>, { rateLimiter = true } = {}): Promise<Gateway> {
    const { ratelimits, ...options } = source.options;
    const gateway = await startWorkerd(name, source.script, {
      ...options,
      ...(rateLimiter ? { ratelimits } : {}),
      bindings: { ...source.options.bindings, ...gatewayVars(standIn.baseURL(name), vars) },
      d1Databases: { [D1_BINDING]: `bench-${name}`, ...(source.options.d1Databases as Record<string, string>) },
    });
    instances.push(gateway);
    const db = await gateway.miniflare.getD1Database(D1_BINDING);
    for (const sql of source.d1Migrations) await db.prepare(sql).run();
    return { ...gateway, calls: () => standIn.tenant(name).calls.embeddings };
  }
  // One workerd each, so each process's CPU is one configuration's. Memory tier on (default) or off.
  const gateways = {
    kv: await startGateway("kv", { CACHE_STORE: "kv" }),
    "kv-store": await startGateway("kv-store", { CACHE_STORE: "kv", MEMORY_CACHE_BYTES: "0" }),
    d1: await startGateway("d1", { CACHE_STORE: "d1" }),
    "d1-store": await startGateway("d1-store", { CACHE_STORE: "d1", MEMORY_CACHE_BYTES: "0" }),
  };
  const baseline: Baseline = await startBaseline(valueBytes);
  instances.push(baseline);

  /** Sends one request and checks it succeeded: the bench measures working paths only. */
  async function once(gateway: Gateway, request: RequestFactory): Promise<Response> {
    const { url, init } = request(0);
    const res = await gateway.dispatch(url, init);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${gateway.name}: HTTP ${res.status} for ${url}`);
    return res;
  }
  // Warm each isolate's code paths before anything is measured.
  for (const gateway of Object.values(gateways)) {
    for (let i = 0; i < 30; i++) await once(gateway, embed(texts(`warm-${i % 3}`, 16), i % 2 ? "float" : "base64"));
    await settle(gateway.pid);
  }

  // Whether CACHE_STORE=d1 is honoured: a D1 gateway that wrote no table left D1 alone.
  const d1Tables = await (await gateways["d1-store"].miniflare.getD1Database(D1_BINDING))
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .first<{ n: number }>();
  const d1Works = (d1Tables?.n ?? 0) > 0;

  async function measure(
    scenario: string,
    store: Store,
    gateway: Gateway,
    inputs: number,
    format: string,
    request: RequestFactory,
  ): Promise<Row> {
    // A first answer tells the trivial worker which bytes to send and which binding calls to replay.
    const sample = await send(gateway, request, -100);
    await settle(gateway.pid);
    const { report } = sample;
    const ops = storeOperations(report);
    const found = report.storeHits ?? Math.max(0, (report.hits ?? 0) - (report.memoryHits ?? 0));
    const init = request(0).init;
    const { plain, replaying } = await baseline.lanes(sample, init, {
      store,
      reads: ops?.reads ?? 0,
      found,
      writes: ops?.writes ?? 0,
      rateLimited: true,
    });
    const [batch, bindings, trivial] = await runLanes(
      [{ instance: gateway, request, upstreamCalls: () => gateway.calls() }, replaying, plain],
      LIMITS,
    );
    return { scenario, store, inputs, format, batch, trivialMs: trivial.cpuPerRequestMs, bindingsMs: bindings.cpuPerRequestMs };
  }

  const rows: Row[] = [];
  const started = performance.now();
  for (const n of GOALS_ONLY ? [] : SIZES) {
    for (const format of FORMATS) {
      const tag = `${n}-${format}`;
      // Hit from memory: the same inputs again, on an isolate that has them.
      const hot = embed(texts(`mem-${tag}`, n), format);
      await once(gateways.kv, hot);
      await settle(gateways.kv.pid);
      rows.push(await measure("hit, memory tier on", "kv", gateways.kv, n, format, hot));
      for (const store of ["kv", "d1"] as const) {
        if (store === "d1" && !d1Works) continue;
        // Hit from store: memory tier off, inputs written by an earlier request.
        const stored = embed(texts(`store-${store}-${tag}`, n), format);
        const storeOnly = gateways[`${store}-store`];
        await once(storeOnly, stored);
        await settle(storeOnly.pid);
        rows.push(await measure("hit from store", store, storeOnly, n, format, stored));
        // Miss: new inputs every request (memory tier on, as deployed).
        const fresh: RequestFactory = (i) => embed(texts(`miss-${store}-${tag}-${i}`, n), format)(i);
        rows.push(await measure("miss", store, gateways[store], n, format, fresh));
      }
    }
  }
  const invalid: RequestFactory = () => ({ url: "http://gateway/v1/embeddings", init: post(JSON.stringify({ model: MODEL, input: 42 })) });
  const refused = GOALS_ONLY ? null : await measure("400 invalid body", "kv", gateways.kv, 0, "-", invalid);

  // The brief's goals, measured its way: gateway minus a trivial worker, side by side, in turns.
  const goalGateway = await startGateway("goal", { CACHE_STORE: "kv" }, { rateLimiter: false });
  const goals: Array<{ scenario: string; goalMs: number | null; result: SideBySide; bytes: number }> = [];
  const goalScenarios = [
    ["1 input, base64, memory hit", 0.2, embed(texts("goal-1", 1), "base64")],
    ["100 inputs, base64, memory hit", 1.2, embed(texts("goal-100", 100), "base64")],
    ["1 input, float, memory hit", null, embed(texts("goal-1", 1), "float")],
    ["1 input, base64, memory hit, from a page", null, fromBrowser(embed(texts("goal-1", 1), "base64"))],
    ["400 invalid body", null, invalid],
  ] as const;
  // Every scenario's code warm before any is measured: otherwise the first one measured carries
  // the isolate's tier-up (measured ~0.1 ms a request more than the same scenario measured later).
  for (let i = 0; i < 1500; i++) {
    const { url, init } = goalScenarios[i % goalScenarios.length][2](0);
    await (await goalGateway.dispatch(url, init)).arrayBuffer();
  }
  for (const [scenario, goalMs, request] of goalScenarios) {
    const { url, init } = request(0);
    await (await goalGateway.dispatch(url, init)).arrayBuffer();
    const answer = await goalGateway.dispatch(url, init);
    const body = await answer.text();
    const trivial = await startWorkerd(`trivial-goal-${goals.length}`, trivialScript, {
      compatibilityDate: source.options.compatibilityDate,
      bindings: { BODY: body, STATUS: String(answer.status), CONTENT_TYPE: answer.headers.get("content-type") ?? "" },
    });
    goals.push({ scenario, goalMs, bytes: body.length, result: await sideBySide(goalGateway, trivial, url, () => request(0).init) });
    await trivial.dispose();
  }
  // A miss's added latency: the same client calling the upstream directly, a trivial worker (the hop
  // to any worker, which the edge puts next to the client), and the gateway with a new input each
  // time, so every call is a miss (memory, store read, upstream, store write), in turns.
  const directURL = `${standIn.baseURL("direct")}/embeddings`;
  const directInit = (input: string[]): RequestInit => ({
    method: "POST",
    headers: {
      authorization: `Bearer ${standInModule.STAND_IN_API_KEY}`,
      "content-type": "application/json",
      "accept-encoding": "identity",
    },
    body: JSON.stringify({ model: MODEL, input, encoding_format: "base64" }),
  });
  const hop = await startWorkerd("trivial-hop", trivialScript, {
    compatibilityDate: source.options.compatibilityDate,
    bindings: { BODY: "{}", STATUS: "200", CONTENT_TYPE: "application/json" },
  });
  const latencies = { direct: [] as number[], hop: [] as number[], gateway: [] as number[] };
  const timed = async (call: () => Promise<Response>, into: number[], keep: boolean) => {
    const t0 = performance.now();
    const res = await call();
    await res.arrayBuffer();
    if (keep) into.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`miss penalty: HTTP ${res.status}`);
  };
  for (let i = 0; i < (GOALS_ONLY ? 90 : 50); i++) {
    const { url, init } = embed(texts(`penalty-gateway-${i}`, 1), "base64")(i);
    await timed(() => fetch(directURL, directInit(texts(`penalty-direct-${i}`, 1))), latencies.direct, i >= 10);
    await timed(() => hop.dispatch(url, init), latencies.hop, i >= 10);
    await timed(() => goalGateway.dispatch(url, embed(texts(`penalty-gateway-${i}`, 1), "base64")(i).init), latencies.gateway, i >= 10);
  }
  await hop.dispose();
  const missPenaltyMs = median(latencies.gateway) - median(latencies.hop) - median(latencies.direct);
  const seconds = (performance.now() - started) / 1000;

  // ---- Output ----
  console.log(`embed-edge bench: gateway from the ${source.label}, bundled, in workerd via Miniflare; stand-in upstream on loopback`);
  console.log(
    `${MODEL} (${dimensions} dims), inputs of ~${TOKENS_PER_INPUT} tokens (${TOKENS_PER_INPUT * 4} chars), Accept-Encoding: identity; ${seconds.toFixed(0)} s of batches\n`,
  );
  const storeCell = (b: Batch) => (b.store ? `${b.store.derived ? "~" : ""}${num(b.store.reads, 1)}/${num(b.store.writes, 1)}` : "n/a");
  const line = (r: Row) => [
    r.scenario,
    r.store,
    r.inputs ? String(r.inputs) : "-",
    r.format,
    num(r.batch.p50Ms),
    num(r.batch.cpuPerRequestMs),
    num(r.trivialMs),
    num(r.batch.cpuPerRequestMs - r.trivialMs),
    num(r.bindingsMs - r.trivialMs),
    num(r.batch.cpuPerRequestMs - r.bindingsMs),
    String(r.batch.body.byteLength),
    storeCell(r.batch),
    num(r.batch.memoryHits, 1),
    num(r.batch.upstreamCalls),
    String(r.batch.requests),
  ];
  const header = [
    "scenario",
    "store",
    "inputs",
    "format",
    "p50 ms",
    "workerd cpu",
    "trivial",
    "−trivial",
    "bindings sim",
    "gateway cpu",
    "bytes",
    "store r/w",
    "mem hits",
    "upstream",
    "N",
  ];
  if (!GOALS_ONLY) printTable([header, ...rows.map(line)]);
  if (!d1Works) console.log(`d1 rows: n/a (the gateway ignored CACHE_STORE=d1: no table in ${D1_BINDING})`);

  console.log("\nthe brief's goals: gateway CPU = its workerd's CPU − a trivial worker's answering the same bytes, side by side");
  console.log(
    `(no rate limiter bound; ${goals[0]?.result.turns} turns of ${goals[0]?.result.requestsPerTurn} requests each; median and middle half of the turns' differences)`,
  );
  printTable([
    ["scenario", "gateway cpu", "q1", "q3", "goal", "bytes"],
    ...goals.map(({ scenario, goalMs, result, bytes }) => [
      scenario,
      num(result.medianMs, 3),
      num(result.q1Ms, 3),
      num(result.q3Ms, 3),
      goalMs === null ? "-" : `≤ ${goalMs}`,
      String(bytes),
    ]),
  ]);

  console.log(
    `1-input miss, p50 latency: ${num(median(latencies.gateway))} ms through the gateway (KV store) − ${num(median(latencies.hop))} ms to reach any worker − ${num(median(latencies.direct))} ms calling the upstream directly = +${num(missPenaltyMs)} ms added by the gateway (goal ≤ 2)`,
  );
  if (refused) {
    console.log("\nfixed overhead per request");
    const oneHit = rows.filter((r) => r.inputs === 1 && r.format === "base64" && r.scenario !== "miss");
    printTable([header, line(refused), ...oneHit.map(line)]);

    console.log(`
    workerd cpu   the gateway's workerd process, all threads, from /proc/<pid>/task/*/schedstat (ns) over N requests
    trivial       a worker in its own workerd answering the same request with the same bytes, status and content type
    −trivial      workerd cpu − trivial: the gateway's CPU as the brief defines it, local binding simulations included
    bindings sim  extra CPU of the trivial worker making the gateway's binding calls (rate limit, store reads and writes)
                  against Miniflare's local simulations, which run in the same process but are not billed as worker CPU
    gateway cpu   workerd cpu − trivial − bindings sim: the gateway's own code; the cost table uses this
    store r/w     store keys read/written per request, from Server-Timing; ~ = derived from X-Cache-Hits/Misses (no Server-Timing)
    mem hits      memory-tier hits per request from X-Cache-Breakdown; upstream = upstream calls per request`);
    // What the simulations cost, from the largest base64 rows: why −trivial overstates the gateway on store rows.
    const largest = (scenario: string, store: Store) =>
      rows.find((r) => r.scenario === scenario && r.store === store && r.inputs === SIZES.at(-1) && r.format === "base64");
    const sim = (r: Row | undefined) => (r ? r.bindingsMs - r.trivialMs : null);
    const limiterMs = sim(largest("hit, memory tier on", "kv"));
    const perKey = (store: Store) => {
      const hit = largest("hit from store", store),
        miss = largest("miss", store);
      const read = hit?.batch.store && limiterMs !== null ? (sim(hit)! - limiterMs) / hit.batch.store.reads : null;
      const write = miss?.batch.store && hit ? (sim(miss)! - sim(hit)!) / miss.batch.store.writes : null;
      return `${store} ~${num(read)} ms per key read, ~${num(write)} ms per key written`;
    };
    console.log(`  Miniflare's simulations in the gateway's process cost: rate limiter ~${num(limiterMs)} ms per call, ${perKey("kv")}, ${perKey("d1")};
    so on kv rows "gateway cpu" is a small difference of large numbers (batch-to-batch spread ~10% of workerd cpu):
    the memory and d1 rows show the gateway's own code more precisely.`);

    // ---- Cost ----
    const params: CostParams = {
      inputsPerRequest: COST_INPUTS,
      tokensPerInput: TOKENS_PER_INPUT,
      upstreamPerMillionTokens: modelPrice ?? PRICES.upstream.defaultPerMillionTokens,
    };
    const find = (scenario: string, store: Store) =>
      rows.find((r) => r.scenario === scenario && r.store === store && r.inputs === COST_INPUTS && r.format === COST_FORMAT);
    const work = (r: Row | undefined) =>
      r?.batch.store
        ? { cpuMs: Math.max(0, r.batch.cpuPerRequestMs - r.bindingsMs), reads: r.batch.store.reads, writes: r.batch.store.writes }
        : null;
    const profiles: Array<{ store: Store; profile: StoreProfile | null }> = (["kv", "d1"] as const).map((store) => {
      const hit = work(find("hit from store", store));
      const miss = work(find("miss", store));
      return { store, profile: hit && miss ? { store, hit, miss } : null };
    });
    console.log(
      `\ncost per 1M requests: ${COST_INPUTS} inputs x ${TOKENS_PER_INPUT} tokens, ${COST_FORMAT}, hits from the store (no memory-tier hits), marginal prices of ${PRICES.checked} (allowances not deducted)`,
    );
    console.log(
      `upstream ${MODEL}: $${params.upstreamPerMillionTokens}/M tokens${modelPrice === null ? " (the catalogue entry has no price_per_million_tokens: default used)" : " (catalogue)"}; D1 billed as one row per key`,
    );
    const direct = directCost(params);
    printTable([
      ["item hit rate", ...HIT_RATES.map(percent), "break-even hit rate"],
      ["direct upstream", ...HIT_RATES.map(() => usd(direct)), "-"],
      ...profiles.map(({ store, profile }) => [
        `gateway + ${store}`,
        ...HIT_RATES.map((h) => usd(profile ? gatewayCost(profile, h, params).total : null)),
        profile ? (breakEvenHitRate(profile, params) === null ? "never" : percent(breakEvenHitRate(profile, params))) : "n/a",
      ]),
    ]);
    console.log("");
    const parts = ["requests", "cpu", "reads", "writes", "upstream", "total"] as const;
    printTable([
      ["breakdown", "hit rate", "cpu ms/req", "reads/req", "writes/req", ...parts],
      ...profiles.flatMap(({ store, profile }) =>
        profile
          ? HIT_RATES.map((h) => {
              const cost = gatewayCost(profile, h, params);
              const mix = (a: number, b: number) => h * a + (1 - h) * b;
              return [
                `gateway + ${store}`,
                percent(h),
                num(mix(profile.hit.cpuMs, profile.miss.cpuMs)),
                num(mix(profile.hit.reads, profile.miss.reads), 1),
                num(mix(profile.hit.writes, profile.miss.writes), 1),
                ...parts.map((p) => usd(cost[p])),
              ];
            })
          : [[`gateway + ${store}`, "n/a"]],
      ),
    ]);
  }
  // Issue 16: the costliest requests the gateway accepts, and cheap refusals, each in a fresh workerd.
  if (!GOALS_ONLY) printMostExpensive(await measureMostExpensive(source, standIn), source.label);
  if (!GOALS_ONLY) await benchUsage(source, standIn);
  if (!GOALS_ONLY) await (await import("./collections.ts")).collectionsBench(standIn);
} finally {
  for (const instance of instances.reverse()) await instance.dispose();
  await standIn.close();
}

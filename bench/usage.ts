// Usage accounting and budgets in workerd: what accounting adds to a 1-input memory hit (gateway CPU,
// side by side with the same gateway without the ledger binding), what a budget check adds to a
// miss (latency, in turns with the same gateway without BUDGETS), and how many Durable Object
// requests 1,000 gateway requests cause. Prints numbers; asserts nothing.
import { minuteOf, UsageAggregator } from "../worker/meter/aggregator.ts";
import { gatewayVars } from "./gateway-env.ts";
import type { GatewaySource } from "./gateway-source.ts";
import { median } from "./measure.ts";
import { sideBySide } from "./side-by-side.ts";
import { num, printTable } from "./table.ts";
import type { standInModule } from "./test-fixtures.ts";
import { startWorkerd, type WorkerdInstance } from "./workerd-instance.ts";

type StandIn = Awaited<ReturnType<typeof standInModule.startStandIn>>;

const MODEL = "BAAI/bge-large-en-v1.5";
const LEDGERS = {
  USAGE_LEDGER: { className: "UsageLedger", useSQLite: true },
  BUDGET_LEDGER: { className: "BudgetLedger", useSQLite: true },
};
const FLUSH_MS = 10_000;
const RUN = Date.now().toString(36);

const embed = (input: string[], ip = "10.9.9.9"): RequestInit => ({
  method: "POST",
  body: JSON.stringify({ model: MODEL, input, encoding_format: "base64" }),
  headers: { "content-type": "application/json", "accept-encoding": "identity", "cf-connecting-ip": ip },
});

export async function benchUsage(source: GatewaySource, standIn: StandIn): Promise<void> {
  const instances: WorkerdInstance[] = [];
  const start = async (name: string, vars: Record<string, string>, ledgers: boolean) => {
    const { ratelimits: _, ...options } = source.options;
    const instance = await startWorkerd(`usage-${name}`, source.script, {
      ...options,
      bindings: {
        ...source.options.bindings,
        ...gatewayVars(standIn.baseURL(`usage-${name}`), { CACHE_STORE: "kv", USAGE_FLUSH_MS: String(FLUSH_MS), ...vars }),
      },
      ...(ledgers ? { durableObjects: LEDGERS } : {}),
    });
    instances.push(instance);
    return instance;
  };
  try {
    const off = await start("off", {}, false);
    const on = await start("on", {}, true);
    const budgeted = await start("budget", { BUDGETS: JSON.stringify([{ subject: "ip", period: "day", max_usd: 1000 }]) }, true);
    const url = "http://gateway/v1/embeddings";

    // 1. Accounting on a 1-input memory hit: the gateway with the ledger against the same gateway without.
    const hit = () => embed([`${RUN} usage hit`]);
    for (const g of [on, off]) await (await g.dispatch(url, hit())).arrayBuffer();
    const overhead = await sideBySide(on, off, url, hit, { turns: 60, requestsPerTurn: 20, warmup: 1500 });
    // The same work without the noise of two processes: what account() does for a 1-input hit, in Node's V8.
    const aggregator = new UsageAggregator();
    const texts = [`${RUN} usage hit`];
    const perCall = (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const key = { minute: minuteOf(Date.now()), subject: "ip:10.9.9.9", model: MODEL, provider: "together", operation: "embeddings" };
        aggregator.add(key, {
          num_requests: 1,
          inputs: 1,
          memory_hits: 1,
          store_hits: 0,
          saved_pico: Math.ceil(texts[0].length / 4) * 204_000,
        });
      }
      return (performance.now() - t0) / n;
    };
    perCall(200_000);
    const accountCodeMs = perCall(1_000_000);

    // 2. A budget check on a miss: a new input every request, in turns with the unbudgeted gateway.
    const latency = { on: [] as number[], budgeted: [] as number[] };
    for (let i = 0; i < 170; i++) {
      for (const [lane, g] of [
        ["on", on],
        ["budgeted", budgeted],
      ] as const) {
        const t0 = performance.now();
        const res = await g.dispatch(url, embed([`${RUN} usage miss ${lane} ${i}`]));
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`usage bench: HTTP ${res.status}`);
        if (i >= 10) latency[lane].push(performance.now() - t0);
      }
    }
    // The median of the pairs' differences: load from elsewhere on the machine falls on both of a pair.
    const budgetMs = median(latency.budgeted.map((ms, i) => ms - latency.on[i]));

    // 3. Durable Object requests per 1,000 requests at a 90% request hit rate, 10 subjects, budgets on:
    // each request with a miss reserves (1) and settles (1, skipped when the estimate was exact); each
    // isolate flushes usage once per USAGE_FLUSH_MS while it serves.
    let withMisses = 0;
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const input = i % 10 === 0 ? [`${RUN} mix new ${i}`] : [`${RUN} mix hot ${i % 7}`];
      const res = await budgeted.dispatch(url, embed(input, `10.8.0.${i % 10}`));
      await res.arrayBuffer();
      if (Number(res.headers.get("x-cache-misses") ?? 0) > 0) withMisses++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const budgetRequests = withMisses * 2;
    // At a steady 1,000 requests per isolate per minute, a flush every 10 s is 6 per 1,000 requests.
    const flushesPerThousandAtRate = (60_000 / FLUSH_MS) * (1000 / 1000);

    console.log("\nusage and budgets (bench/usage.ts): gateway CPU side by side, no rate limiter bound");
    printTable([
      ["measure", "value", "goal"],
      ["accounting, 1-input memory hit (ms CPU)", num(overhead.medianMs, 3), "≤ 0.02"],
      ["  middle half of the turns", `${num(overhead.q1Ms, 3)} … ${num(overhead.q3Ms, 3)}`, ""],
      ["  its code alone, in Node (ms CPU)", num(accountCodeMs, 5), "≤ 0.02"],
      ["budget check on a 1-input miss (ms, p50)", num(budgetMs, 2), "≤ 1"],
      [`budget DO requests / 1,000 requests (90% hits)`, String(budgetRequests), ""],
      [`usage DO requests / 1,000 requests at 1,000/min/isolate`, num(flushesPerThousandAtRate, 0), ""],
    ]);
    console.log(`  (the mix ran ${num(1000 / seconds, 0)} requests/s; ${withMisses} of 1,000 had a miss)`);
  } finally {
    for (const instance of instances.reverse()) await instance.dispose();
  }
}

// Measured batches: sequential requests to workerd instances, each process's CPU read before and
// after (background work settled), with latencies, bytes and what the responses reported. Several
// lanes (the gateway and the trivial worker replaying it) take turns request by request, so load
// from anything else on the machine falls on both alike and cancels in their difference.
import { type CacheReport, readCacheReport, storeOperations } from "./cache-headers.ts";
import { settle } from "./workerd-cpu.ts";
import type { WorkerdInstance } from "./workerd-instance.ts";

/** Lanes run until the first has `minRequests` requests and `minCpuMs` of CPU, or `maxMs` have passed. */
export interface BatchLimits {
  minRequests: number;
  /** One /proc reading is exact to a tick (10 ms), so this bounds the reading error. */
  minCpuMs: number;
  maxMs: number;
}

/** Unmeasured requests first (JIT, first-use setup), and the fewest measured ones. */
const WARMUP_REQUESTS = 2;
const FLOOR_REQUESTS = 3;

export type RequestFactory = (i: number) => { url: string; init: RequestInit };

export interface Lane {
  instance: WorkerdInstance;
  request: RequestFactory;
  /** Upstream calls so far, counted by the stand-in. */
  upstreamCalls?: () => number;
}

/** One response, as the bench keeps it. */
export interface Sample {
  status: number;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  report: CacheReport;
}

export interface Batch extends Sample {
  requests: number;
  p50Ms: number;
  cpuPerRequestMs: number;
  /** Mean store keys per request; null when the gateway reports neither Server-Timing nor X-Cache. */
  store: { reads: number; writes: number; derived: boolean } | null;
  /** Mean memory-tier hits per request; null without X-Cache-Breakdown. */
  memoryHits: number | null;
  upstreamCalls: number | null;
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Sends request `i` of `request` and reads the whole answer. */
export async function send(instance: WorkerdInstance, request: RequestFactory, i: number): Promise<Sample> {
  const { url, init } = request(i);
  const res = await instance.dispatch(url, init);
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body, report: readCacheReport(res.headers) };
}

/** What one lane saw. */
class Tally {
  latencies: number[] = [];
  reads = 0;
  writes = 0;
  derived = false;
  withStore = 0;
  memoryHits = 0;
  withBreakdown = 0;
  last: Sample | undefined;
  cpuBefore = 0;
  callsBefore: number | undefined;

  add(sample: Sample, ms: number): void {
    this.latencies.push(ms);
    this.last = sample;
    const ops = storeOperations(sample.report);
    if (ops) {
      this.reads += ops.reads;
      this.writes += ops.writes;
      this.derived ||= ops.derived;
      this.withStore++;
    }
    if (sample.report.memoryHits !== null) {
      this.memoryHits += sample.report.memoryHits;
      this.withBreakdown++;
    }
  }

  batch(lane: Lane): Batch {
    const n = this.latencies.length;
    return {
      ...this.last!,
      requests: n,
      p50Ms: median(this.latencies),
      cpuPerRequestMs: (lane.instance.cpuMs() - this.cpuBefore) / n,
      store: this.withStore === n ? { reads: this.reads / n, writes: this.writes / n, derived: this.derived } : null,
      memoryHits: this.withBreakdown === n ? this.memoryHits / n : null,
      upstreamCalls: this.callsBefore === undefined ? null : (lane.upstreamCalls!() - this.callsBefore) / n,
    };
  }
}

export async function runLanes(lanes: Lane[], limits: BatchLimits): Promise<Batch[]> {
  for (const lane of lanes) for (let i = 1; i <= WARMUP_REQUESTS; i++) await send(lane.instance, lane.request, -i);
  for (const lane of lanes) await settle(lane.instance.pid);
  const tallies = lanes.map((lane) => {
    const tally = new Tally();
    tally.cpuBefore = lane.instance.cpuMs();
    tally.callsBefore = lane.upstreamCalls?.();
    return tally;
  });
  const started = performance.now();
  for (let i = 0; ; i++) {
    for (const [l, lane] of lanes.entries()) {
      const t0 = performance.now();
      const sample = await send(lane.instance, lane.request, i);
      tallies[l].add(sample, performance.now() - t0);
    }
    const n = i + 1;
    const enough = n >= limits.minRequests && lanes[0].instance.cpuMs() - tallies[0].cpuBefore >= limits.minCpuMs;
    if (n >= FLOOR_REQUESTS && (enough || performance.now() - started >= limits.maxMs)) break;
  }
  for (const lane of lanes) await settle(lane.instance.pid);
  return lanes.map((lane, l) => tallies[l].batch(lane));
}

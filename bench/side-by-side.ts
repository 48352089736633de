// The brief's own measure of gateway CPU, as precisely as this machine allows: the gateway's workerd
// and a trivial worker's workerd (answering the same bytes) take turns, a short batch each, many
// times over, and each turn's difference counts once. The median of those differences is the
// figure: a steal-time spike or a garbage collection lands in one turn and moves the median little,
// where it would move a sum. The gateway here has no rate limiter bound, because Miniflare's local
// simulation of one costs about 1 ms of CPU per call in the same process (production does not bill
// it to the worker), which would bury a 0.2 ms goal; the main table measures the gateway with it.
import { cpuMs, settle } from "./workerd-cpu.ts";
import type { WorkerdInstance } from "./workerd-instance.ts";

export interface SideBySide {
  /** Median over turns of (gateway − trivial) CPU per request, ms. */
  medianMs: number;
  /** The middle half of the turns' differences. */
  q1Ms: number;
  q3Ms: number;
  turns: number;
  requestsPerTurn: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

/** CPU ms per request of `requests` requests made one after another, background work included. */
async function turn(instance: WorkerdInstance, url: string, init: () => RequestInit, requests: number): Promise<number> {
  await settle(instance.pid);
  const before = cpuMs(instance.pid);
  for (let i = 0; i < requests; i++) await (await instance.dispatch(url, init())).arrayBuffer();
  await settle(instance.pid);
  return (cpuMs(instance.pid) - before) / requests;
}

/**
 * Gateway and trivial worker in turns: `turns` turns of `requestsPerTurn` requests each, after
 * `warmup` requests to each. V8 optimizes a function only after many calls, so a fresh isolate's
 * first hundred requests cost it more (measured: a 1-input hit at ~0.35 ms after 100, ~0.16 after
 * 500); a deployed isolate serves far more than that.
 */
export async function sideBySide(
  gateway: WorkerdInstance,
  trivial: WorkerdInstance,
  url: string,
  init: () => RequestInit,
  { turns = 60, requestsPerTurn = 20, warmup = 500 } = {},
): Promise<SideBySide> {
  for (let i = 0; i < warmup; i++) {
    await (await gateway.dispatch(url, init())).arrayBuffer();
    await (await trivial.dispatch(url, init())).arrayBuffer();
  }
  const differences: number[] = [];
  for (let t = 0; t < turns; t++) {
    const g = await turn(gateway, url, init, requestsPerTurn);
    const b = await turn(trivial, url, init, requestsPerTurn);
    differences.push(g - b);
  }
  differences.sort((a, b) => a - b);
  return {
    medianMs: quantile(differences, 0.5),
    q1Ms: quantile(differences, 0.25),
    q3Ms: quantile(differences, 0.75),
    turns,
    requestsPerTurn,
  };
}

/** A worker in its own workerd that reads the request and answers `body` with `status` and `contentType`: nothing else. */
export const trivialScript = `export default {
  async fetch(request, env) {
    await request.arrayBuffer();
    return new Response(env.BODY, { status: Number(env.STATUS), headers: { "content-type": env.CONTENT_TYPE } });
  },
};`;

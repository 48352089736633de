// What a million requests cost through the gateway at a given item hit rate, from measured
// per-request work, against calling the upstream directly. Pure functions; prices from prices.ts.
import { PRICES } from "./prices.ts";

/** Measured work of one request whose inputs all hit, or all miss. */
export interface RequestWork {
  /** Gateway CPU per request in ms (the local store simulation's CPU excluded). */
  cpuMs: number;
  /** Billed store units per request: KV keys, or D1 rows. */
  reads: number;
  writes: number;
}

export interface StoreProfile {
  store: "kv" | "d1";
  hit: RequestWork;
  miss: RequestWork;
}

export interface CostParams {
  inputsPerRequest: number;
  tokensPerInput: number;
  upstreamPerMillionTokens: number;
}

export interface CostLine {
  requests: number;
  cpu: number;
  reads: number;
  writes: number;
  upstream: number;
  total: number;
}

const mix = (hitRate: number, hit: number, miss: number) => hitRate * hit + (1 - hitRate) * miss;

/** USD per million requests calling the upstream directly: tokens only. */
export function directCost(params: CostParams): number {
  return params.inputsPerRequest * params.tokensPerInput * params.upstreamPerMillionTokens;
}

/**
 * USD per million requests through the gateway when `hitRate` of the inputs are cached. A request's
 * work is taken as the hit and miss requests' work mixed in that proportion (the engine reads every
 * key once, then fetches and writes only the misses, so its work is close to linear in the mix).
 */
export function gatewayCost(profile: StoreProfile, hitRate: number, params: CostParams): CostLine {
  const storePrices =
    profile.store === "kv"
      ? { read: PRICES.kv.perMillionReads, write: PRICES.kv.perMillionWrites }
      : { read: PRICES.d1.perMillionRowsRead, write: PRICES.d1.perMillionRowsWritten };
  const line = {
    requests: PRICES.workers.perMillionRequests,
    cpu: mix(hitRate, profile.hit.cpuMs, profile.miss.cpuMs) * PRICES.workers.perMillionCpuMs,
    reads: mix(hitRate, profile.hit.reads, profile.miss.reads) * storePrices.read,
    writes: mix(hitRate, profile.hit.writes, profile.miss.writes) * storePrices.write,
    upstream: (1 - hitRate) * directCost(params),
  };
  return { ...line, total: line.requests + line.cpu + line.reads + line.writes + line.upstream };
}

/**
 * The item hit rate above which the gateway is cheaper than calling the upstream directly: 0 when it
 * always is, null when it never is (the cost is linear in the hit rate, so one crossing at most).
 */
export function breakEvenHitRate(profile: StoreProfile, params: CostParams): number | null {
  const direct = directCost(params);
  const atZero = gatewayCost(profile, 0, params).total;
  const atOne = gatewayCost(profile, 1, params).total;
  if (atZero <= direct) return 0;
  if (atOne >= direct) return null;
  return (atZero - direct) / (atZero - atOne);
}

import type { Usage } from "../../common/token-usage";

/** How one request may use the cache and the upstreams. */
export interface CachePolicy {
  read: boolean;
  write: boolean;
  ttlSeconds: number;
  /** How long to wait for another request's identical upstream call before making one's own. */
  maxShareWaitMs: number;
  /** How long a store read may hold up the upstream call for the items still missing. */
  storeDeadlineMs: number;
  /** When (epoch ms) this request's upstream work must be over, across retries and fallback routes. */
  deadline: number;
  /** Most upstream batches of this request in flight at once. */
  maxConcurrentBatches: number;
}

/** What a route's `fetch` gets besides the items: the request's deadline and a report of each attempt. */
export interface RouteCall {
  deadline: number;
  /** Called after each upstream attempt (the circuit breaker counts failed ones). */
  attempted(ok: boolean): void;
}

/** One way to get the missing items: a provider route, with the key prefix its answers are stored under. */
export interface ItemRoute {
  /** Provider instance name, for `X-Provider`. */
  provider: string;
  /** Store-key prefix of this route's answers; also the route's identity (circuit breaker, sharing). */
  prefix: string;
  /** Whether its answers may be stored per item. */
  cacheable: boolean;
  /** The values for the given item positions, aligned with them, already checked and encoded. */
  fetch(items: readonly number[], call: RouteCall): Promise<{ values: string[]; usage: Usage }>;
}

export interface ItemSource {
  /** Each request item's identity (its text), in request order; equal identities mean equal items. */
  items: readonly string[];
  /** In order: the first answers, the next ones only when it fails through no fault of the request. */
  routes: readonly ItemRoute[];
  /** Whether a stored value is what it claims (a finite vector of the model's size, a score as the gateway writes it). */
  isValid(value: string): boolean;
  /** Most items one upstream call may carry. */
  maxBatch: number;
}

/** What one route's upstream calls for one request really cost. */
export interface UpstreamSpend {
  provider: string;
  /** The route's position among the model's routes. */
  route: number;
  /** Items it was sent. */
  inputs: number;
  usage: Usage;
}

/** Called once when a request's own upstream work has settled, with what each route spent. */
export type Settle = (spent: readonly UpstreamSpend[]) => void;

/** The I/O the engine needs, from the request's surroundings. */
export interface CacheDeps {
  store: import("../store").CacheStore | undefined;
  memory: import("../memory-tier").MemoryTier | undefined;
  waitUntil(work: Promise<unknown>): void;
  log(fields: Record<string, unknown>): void;
  /**
   * Asked once per request, before anything of it goes upstream, with the distinct texts about to go.
   * May throw (a 429 `budget_exceeded`) to refuse: nothing is then sent. The function it returns, if
   * any, is called once when the request's own upstream work has settled, with what it spent. A
   * request answered wholly by the cache or by another request's call never asks.
   */
  admit?(texts: readonly string[]): Promise<Settle | undefined>;
}

export interface ItemStats {
  /** Distinct items found in memory, in the store, and missing from both. */
  memoryHits: number;
  storeHits: number;
  misses: number;
  storeReadKeys: number;
  storeReadMs: number;
  storeWriteKeys: number;
  upstreamCalls: number;
  upstreamMs: number;
  /** Provider instances that answered misses, in first-answer order. */
  providers: string[];
  /** What this request's own upstream calls cost, one entry per route that answered. */
  spent: UpstreamSpend[];
}

export interface ResolvedItems {
  /** One value per request item, in request order. */
  values: string[];
  /** The memory-tier key of the value at a request position (for the float text kept beside it), worked out only when asked for. */
  keyOf(index: number): string;
  usage: Usage;
  stats: ItemStats;
}

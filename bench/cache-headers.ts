// What a gateway response says about its own work: X-Cache*, X-Cache-Breakdown and Server-Timing.
// Every field is null when its header is absent, so older gateways print `n/a` instead of zeros.

export interface CacheReport {
  /** HIT, MISS or PARTIAL. */
  cache: string | null;
  hits: number | null;
  misses: number | null;
  /** Hits by tier (X-Cache-Breakdown: memory=<n>, store=<n>). */
  memoryHits: number | null;
  storeHits: number | null;
  /** Keys read from and written to the store (Server-Timing store-read / store-write desc). */
  storeReads: number | null;
  storeWrites: number | null;
  upstreamCalls: number | null;
  /** Server-Timing durations by entry name, in ms. */
  durations: Record<string, number>;
}

const count = (value: string | null | undefined): number | null => {
  const n = value == null ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : null;
};

interface TimingEntry {
  dur?: number;
  desc?: string;
}

/** Server-Timing per https://w3c.github.io/server-timing/: `name;dur=1.2;desc="16 keys", ...`. */
export function parseServerTiming(header: string | null): Map<string, TimingEntry> {
  const entries = new Map<string, TimingEntry>();
  // Commas inside quoted descriptions are not separators.
  for (const raw of (header ?? "").match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [name, ...params] = raw.split(";").map((part) => part.trim());
    if (!name) continue;
    const entry: TimingEntry = {};
    for (const param of params) {
      const eq = param.indexOf("=");
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
      if (key === "dur") entry.dur = Number(value);
      if (key === "desc") entry.desc = value;
    }
    entries.set(name, entry);
  }
  return entries;
}

/** `memory=3, store=13` as a record. */
function parseBreakdown(header: string | null): Record<string, number> | null {
  if (header == null) return null;
  return Object.fromEntries(
    header
      .split(",")
      .map((part) => part.trim().split("="))
      .map(([k, v]) => [k.trim(), Number(v)]),
  );
}

export function readCacheReport(headers: Headers): CacheReport {
  const timing = parseServerTiming(headers.get("server-timing"));
  const breakdown = parseBreakdown(headers.get("x-cache-breakdown"));
  const descCount = (name: string) => count(timing.get(name)?.desc?.match(/\d+/)?.[0]);
  const durations: Record<string, number> = {};
  for (const [name, entry] of timing) if (entry.dur !== undefined) durations[name] = entry.dur;
  return {
    cache: headers.get("x-cache"),
    hits: count(headers.get("x-cache-hits")),
    misses: count(headers.get("x-cache-misses")),
    memoryHits: breakdown ? (breakdown.memory ?? 0) : null,
    storeHits: breakdown ? (breakdown.store ?? 0) : null,
    // An entry that is absent while the others are present means "none of that work".
    storeReads: timing.size ? (descCount("store-read") ?? 0) : null,
    storeWrites: timing.size ? (descCount("store-write") ?? 0) : null,
    upstreamCalls: timing.size ? (descCount("upstream") ?? 0) : null,
    durations,
  };
}

/**
 * Store keys read and written, from Server-Timing when the gateway sends it; otherwise derived from
 * X-Cache-Hits/Misses (every distinct input not found in memory is read; every miss is written),
 * flagged `derived` so the tables can say so.
 */
export function storeOperations(report: CacheReport): { reads: number; writes: number; derived: boolean } | null {
  if (report.storeReads !== null && report.storeWrites !== null)
    return { reads: report.storeReads, writes: report.storeWrites, derived: false };
  if (report.hits === null || report.misses === null) return null;
  return { reads: report.hits + report.misses - (report.memoryHits ?? 0), writes: report.misses, derived: true };
}

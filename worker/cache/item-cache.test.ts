// The item path on its own: real KV and a real memory tier in workerd, with routes that are plain
// functions standing in for providers. Each test uses its own route prefixes, so the isolate's
// circuit breaker and in-flight shares never carry over from one test to the next.
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { type CacheDeps, type CachePolicy, type ItemRoute, type ResolvedItems, resolveItems, type UpstreamSpend } from "./item-cache";
import { assemble } from "./items/run";
import { kvStore } from "./kv-store";
import { MemoryTier } from "./memory-tier";

let unique = 0;
const fresh = (name: string) => `test/${name}/${Date.now()}-${unique++}/`;

function policy(overrides: Partial<CachePolicy> = {}): CachePolicy {
  return {
    read: true,
    write: true,
    ttlSeconds: 3600,
    maxShareWaitMs: 5000,
    storeDeadlineMs: 50,
    deadline: Date.now() + 10_000,
    maxConcurrentBatches: 4,
    ...overrides,
  };
}

function deps(overrides: Partial<CacheDeps> = {}): CacheDeps & { settled: Promise<unknown>[] } {
  const settled: Promise<unknown>[] = [];
  return {
    store: kvStore(env.EMBED_CACHE),
    memory: new MemoryTier(1 << 20),
    waitUntil: (work) => settled.push(work),
    log: () => {},
    settled,
    ...overrides,
  };
}

/** A route answering `<tag>:<item>` for each item, recording what it was asked. */
function route(
  prefix: string,
  items: readonly string[],
  options: { tag?: string; fail?: () => unknown; delayMs?: number; onCall?: () => void } = {},
): ItemRoute & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    provider: options.tag ?? "primary",
    prefix,
    cacheable: true,
    calls,
    async fetch(indices) {
      calls.push(indices.map((i) => items[i]));
      options.onCall?.();
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const failure = options.fail?.();
      if (failure) throw failure;
      return {
        values: indices.map((i) => `${options.tag ?? "primary"}:${items[i]}`),
        usage: { prompt_tokens: indices.length, completion_tokens: 0, total_tokens: indices.length },
      };
    },
  };
}

const resolve = (items: string[], routes: ItemRoute[], p = policy(), d = deps(), maxBatch = 100): Promise<ResolvedItems> =>
  resolveItems({ items, routes, isValid: (v) => v.includes(":"), maxBatch }, p, d);
const outage = () => new ApiError(503, "upstream_error", "down");

describe("item path: the merge of hits and misses", () => {
  it("Should answer every position in request order, duplicates included, from memory, store and upstream at once", async () => {
    const prefix = fresh("merge");
    const items = ["m1", "s1", "u1", "m1", "u2", "s1", "u1"];
    const d = deps();
    // m1 is in memory, s1 only in the store, u1 and u2 nowhere.
    const warm = route(prefix, ["m1", "s1"]);
    await resolve(["m1", "s1"], [warm], policy(), d);
    await Promise.all(d.settled);
    d.memory = new MemoryTier(1 << 20);
    await resolve(["m1"], [warm], policy({ storeDeadlineMs: 1000 }), d);

    const upstream = route(prefix, items);
    const resolved = await resolve(items, [upstream], policy({ storeDeadlineMs: 1000 }), d);
    expect(resolved.values).toEqual(items.map((item) => `primary:${item}`));
    expect(resolved.stats).toMatchObject({ memoryHits: 1, storeHits: 1, misses: 2 });
    expect(upstream.calls).toEqual([["u1", "u2"]]);
  });

  it("Should put each value at every position of its item, for any request (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 40 }), (items) => {
        const values = new Map(items.map((item) => [item, `v:${item}`]));
        expect(assemble(items, values)).toEqual(items.map((item) => `v:${item}`));
      }),
    );
  });

  it("Should refuse to assemble an answer with a hole rather than return undefined", () => {
    expect(() => assemble(["a", "b"], new Map([["a", "x"]]))).toThrow(/item 1/);
  });

  it("Should split misses into batches of the model's size and keep at most the allowed number in flight", async () => {
    const prefix = fresh("slots");
    const items = Array.from({ length: 50 }, (_, i) => `t${i}`);
    let inFlight = 0;
    let most = 0;
    const upstream: ItemRoute & { calls: string[][] } = {
      ...route(prefix, items),
      async fetch(indices) {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return { values: indices.map((i) => `primary:${items[i]}`), usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } };
      },
    };
    const resolved = await resolve(items, [upstream], policy({ maxConcurrentBatches: 2 }), deps(), 5);
    expect(resolved.values).toEqual(items.map((t) => `primary:${t}`));
    expect(resolved.stats.upstreamCalls).toBe(10);
    expect(most).toBe(2);
  });
});

describe("item path: fallback, deadline and circuit breaker", () => {
  it("Should answer from the next route when the first fails upstream, and account the spend to the route that answered", async () => {
    const items = ["a", "b"];
    const first = route(fresh("down"), items, { fail: outage });
    const second = route(fresh("up"), items, { tag: "fallback" });
    const resolved = await resolve(items, [first, second]);
    expect(resolved.values).toEqual(["fallback:a", "fallback:b"]);
    expect(resolved.stats.spent).toEqual([
      { provider: "fallback", route: 1, inputs: 2, usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 } },
    ]);
  });

  it("Should skip a route after five consecutive failures, so the next route answers without waiting on it", async () => {
    const items = ["x"];
    const first = route(fresh("tripped"), items, { fail: outage });
    const second = route(fresh("healthy"), items, { tag: "fallback" });
    for (let i = 0; i < 5; i++) await resolve(items, [first, second], policy({ read: false }));
    expect(first.calls).toHaveLength(5);
    const resolved = await resolve(items, [first, second], policy({ read: false }));
    expect(resolved.values).toEqual(["fallback:x"]);
    expect(first.calls).toHaveLength(5);
  });

  it("Should not trip on an upstream's rate limits: a 429 is passed back, the route stays in use", async () => {
    const items = ["z"];
    const limited = route(fresh("limited"), items, {
      fail: () => new ApiError(429, "upstream_rate_limited", "slow down", { headers: { "retry-after": "2" } }),
    });
    for (let i = 0; i < 6; i++) {
      const err = await resolve(items, [limited]).catch((e) => e);
      expect(err.status).toBe(429);
    }
    expect(limited.calls).toHaveLength(6);
  });

  it("Should answer 503 with Retry-After when the only route is tripped, without calling it", async () => {
    const items = ["y"];
    const only = route(fresh("only"), items, { fail: outage });
    for (let i = 0; i < 5; i++) await resolve(items, [only]).catch(() => {});
    const err = await resolve(items, [only]).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(503);
    expect(Number(err.headers["retry-after"])).toBeGreaterThan(0);
    expect(only.calls).toHaveLength(5);
  });

  it("Should try no further route once the request's deadline has passed, and pass on the first route's failure", async () => {
    const items = ["late"];
    const first = route(fresh("slow"), items, { fail: outage, delayMs: 30 });
    const second = route(fresh("never"), items, { tag: "fallback" });
    const err = await resolve(items, [first, second], policy({ deadline: Date.now() + 10 })).catch((e) => e);
    expect(err.status).toBe(503);
    expect(second.calls).toHaveLength(0);
    const none = route(fresh("none"), items);
    const expired = await resolve(items, [none], policy({ deadline: Date.now() - 1 })).catch((e) => e);
    expect(expired.status).toBe(504);
    expect(none.calls).toHaveLength(0);
  });

  it("Should not take a shared in-flight answer that another model's fallback route gave", async () => {
    const items = ["shared"];
    const primary = fresh("primary");
    // Request A: the shared primary is down, its own fallback answers slowly.
    const a = resolve(items, [route(primary, items, { fail: outage }), route(fresh("a-fallback"), items, { tag: "a", delayMs: 20 })]);
    await new Promise((r) => setTimeout(r, 1));
    // Request B has the same primary route but another fallback: A's answer is not in its space.
    const bFallback = route(fresh("b-fallback"), items, { tag: "b" });
    const b = await resolve(items, [route(primary, items, { fail: outage }), bFallback]);
    expect((await a).values).toEqual(["a:shared"]);
    expect(b.values).toEqual(["b:shared"]);
    expect(bFallback.calls).toHaveLength(1);
  });
});

describe("item path: admission before the upstream", () => {
  it("Should ask once, with the distinct texts about to go upstream, and settle with what was spent", async () => {
    const items = ["p", "q", "p"];
    const asked: string[][] = [];
    let settled: readonly UpstreamSpend[] | undefined;
    const d = deps({
      admit: async (texts) => {
        asked.push([...texts]);
        return (spent) => {
          settled = spent;
        };
      },
    });
    await resolve(items, [route(fresh("admit"), items)], policy(), d, 1);
    await Promise.all(d.settled);
    expect(asked).toEqual([["p", "q"]]);
    expect(settled).toEqual([
      { provider: "primary", route: 0, inputs: 2, usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 } },
    ]);
  });

  it("Should send nothing upstream when admission refuses, and never ask for a full cache hit", async () => {
    const prefix = fresh("refused");
    const refuse = () => Promise.reject(new ApiError(429, "budget_exceeded", "over"));
    const upstream = route(prefix, ["r"]);
    const err = await resolve(["r"], [upstream], policy(), deps({ admit: refuse })).catch((e) => e);
    expect(err.code).toBe("budget_exceeded");
    expect(upstream.calls).toHaveLength(0);

    const d = deps();
    await resolve(["r"], [upstream], policy(), d);
    let asked = 0;
    const hit = await resolve(["r"], [upstream], policy(), {
      ...d,
      admit: async () => {
        asked++;
        return undefined;
      },
    });
    expect(hit.values).toEqual(["primary:r"]);
    expect(asked).toBe(0);
  });
});

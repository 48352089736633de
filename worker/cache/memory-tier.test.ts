import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryTier, memoryTierFor } from "./memory-tier";

/** What V8 is assumed to spend per entry beyond its strings (memory-tier.ts). */
const OVERHEAD = 96;
const FOREVER = Number.MAX_SAFE_INTEGER;
const entryBytes = (key: string, value: string) => key.length * 2 + value.length + OVERHEAD;

describe("memory tier: the byte bound", () => {
  it("Should never hold more bytes than its budget while far more than the budget is put in", () => {
    const tier = new MemoryTier(64 * 1024);
    // Values of 0 to 6 KiB under 300 keys, some with float text: about 200 times the budget in all.
    const puts = fc.sample(
      fc.record({ key: fc.nat({ max: 299 }), size: fc.nat({ max: 6144 }), floatText: fc.option(fc.nat({ max: 2048 })) }),
      {
        seed: 10,
        numRuns: 5000,
      },
    );
    let put = 0;
    for (const { key, size, floatText } of puts) {
      const name = `ee2/emb/tag/model/${key}`;
      const value = "A".repeat(size);
      tier.set(name, value, FOREVER, false);
      put += entryBytes(name, value);
      if (floatText !== null) tier.setFloatText(name, "1".repeat(floatText));
      expect(tier.bytes).toBeLessThanOrEqual(tier.budgetBytes);
      expect(tier.bytes).toBeGreaterThanOrEqual(0);
    }
    expect(put).toBeGreaterThan(200 * tier.budgetBytes);
    expect(tier.size).toBeGreaterThan(0);
  });

  it("Should count exactly what it holds, through any mix of sets, float texts, reads and expiry", () => {
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("set" as const),
        key: fc.constantFrom(...keys),
        size: fc.nat({ max: 1500 }),
        ttl: fc.integer({ min: 1, max: 50 }),
      }),
      fc.record({ kind: fc.constant("float" as const), key: fc.constantFrom(...keys), size: fc.nat({ max: 800 }) }),
      fc.record({ kind: fc.constant("get" as const), key: fc.constantFrom(...keys) }),
      fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.array(op, { maxLength: 120 }), (budget, ops) => {
        const tier = new MemoryTier(budget);
        const latest = new Map<string, string>();
        let now = 0;
        for (const step of ops) {
          if (step.kind === "set") {
            const value = `${step.key}:${"v".repeat(step.size)}`;
            tier.set(step.key, value, now + step.ttl, false);
            latest.set(step.key, value);
          } else if (step.kind === "float") tier.setFloatText(step.key, "9".repeat(step.size));
          else if (step.kind === "get") {
            const value = tier.get(step.key, now);
            // A hit is always the last value set for that key, never another key's or an older one.
            if (value !== undefined) expect(value).toBe(latest.get(step.key));
          } else now += step.ms;
          expect(tier.bytes).toBeLessThanOrEqual(budget);
        }
        let held = 0;
        for (const key of keys) {
          const value = tier.get(key, now);
          if (value !== undefined) held += entryBytes(key, value) + (tier.floatText(key)?.length ?? 0);
        }
        expect(tier.bytes).toBe(held);
      }),
      { seed: 10, numRuns: 300 },
    );
  });

  it("Should not keep a value bigger than the whole budget, and leave the rest alone", () => {
    const tier = new MemoryTier(500);
    tier.set("small", "x", FOREVER, false);
    tier.set("big", "x".repeat(500), FOREVER, false);
    expect(tier.get("big")).toBeUndefined();
    expect(tier.get("small")).toBe("x");
    expect(tier.bytes).toBe(entryBytes("small", "x"));
  });

  it("Should forget a key's older value when its new value is too big to hold", () => {
    const tier = new MemoryTier(500);
    tier.set("key", "old", FOREVER, false);
    tier.set("key", "new".repeat(200), FOREVER, false);
    expect(tier.get("key")).not.toBe("old");
  });
});

describe("memory tier: what stays", () => {
  // Room for exactly three entries of one-character keys and three-character values.
  const threeEntries = () => new MemoryTier(3 * entryBytes("a", "xxx"));

  it("Should evict the least recently used entry first", () => {
    const tier = threeEntries();
    for (const key of ["a", "b", "c"]) tier.set(key, "xxx", FOREVER, false);
    expect(tier.get("a")).toBe("xxx");
    tier.set("d", "xxx", FOREVER, false);
    expect(tier.get("b")).toBeUndefined();
    expect(["a", "c", "d"].map((key) => tier.get(key))).toEqual(["xxx", "xxx", "xxx"]);
  });

  it("Should count a replaced value once", () => {
    const tier = threeEntries();
    tier.set("a", "xxx", FOREVER, false);
    tier.set("a", "yyy", FOREVER, false);
    expect(tier.size).toBe(1);
    expect(tier.bytes).toBe(entryBytes("a", "yyy"));
    expect(tier.get("a")).toBe("yyy");
  });

  it("Should treat an entry as gone from its expiry time on, and free its bytes", () => {
    const tier = new MemoryTier(10_000);
    tier.set("k", "value", 1000, true);
    expect(tier.get("k", 999)).toBe("value");
    expect(tier.wasStored("k", 999)).toBe(true);
    expect(tier.wasStored("k", 1000)).toBe(false);
    expect(tier.get("k", 1000)).toBeUndefined();
    expect(tier.bytes).toBe(0);
    expect(tier.size).toBe(0);
  });

  it("Should remember whether this isolate already stored a value", () => {
    const tier = new MemoryTier(10_000);
    tier.set("fetched", "v", FOREVER, false);
    tier.set("read", "v", FOREVER, true);
    expect(tier.wasStored("fetched")).toBe(false);
    expect(tier.wasStored("read")).toBe(true);
    tier.markStored("fetched");
    expect(tier.wasStored("fetched")).toBe(true);
    expect(tier.wasStored("absent")).toBe(false);
  });
});

describe("memory tier: float text", () => {
  it("Should count float text against the budget and keep the first one given", () => {
    const tier = new MemoryTier(10_000);
    tier.set("k", "AAAA", FOREVER, false);
    tier.setFloatText("k", "[0,0,0]");
    expect(tier.floatText("k")).toBe("[0,0,0]");
    expect(tier.bytes).toBe(entryBytes("k", "AAAA") + 7);
    tier.setFloatText("k", "[1,1,1,1,1]");
    expect(tier.floatText("k")).toBe("[0,0,0]");
    expect(tier.bytes).toBe(entryBytes("k", "AAAA") + 7);
  });

  it("Should drop the float text with its value when the value is replaced", () => {
    const tier = new MemoryTier(10_000);
    tier.set("k", "AAAA", FOREVER, false);
    tier.setFloatText("k", "[0]");
    tier.set("k", "BBBB", FOREVER, false);
    expect(tier.floatText("k")).toBeUndefined();
    expect(tier.bytes).toBe(entryBytes("k", "BBBB"));
  });

  it("Should skip float text that would not fit, and ignore float text for absent keys", () => {
    const tier = new MemoryTier(entryBytes("k", "AAAA") + 3);
    tier.set("k", "AAAA", FOREVER, false);
    tier.setFloatText("k", "[0,0]");
    expect(tier.floatText("k")).toBeUndefined();
    tier.setFloatText("absent", "[0]");
    expect(tier.floatText("absent")).toBeUndefined();
    expect(tier.bytes).toBe(entryBytes("k", "AAAA"));
  });

  it("Should evict older entries to make room for float text", () => {
    const tier = new MemoryTier(2 * entryBytes("a", "xxx") + 10);
    tier.set("a", "xxx", FOREVER, false);
    tier.set("b", "xxx", FOREVER, false);
    tier.setFloatText("b", "[1.5,2.5,3]");
    expect(tier.get("a")).toBeUndefined();
    expect(tier.floatText("b")).toBe("[1.5,2.5,3]");
    expect(tier.bytes).toBeLessThanOrEqual(tier.budgetBytes);
  });
});

describe("memory tier: one per isolate", () => {
  it("Should be off with a budget of 0, the same tier for the same budget and a new one for a new budget", () => {
    expect(memoryTierFor(0)).toBeUndefined();
    const tier = memoryTierFor(1 << 20);
    expect(memoryTierFor(1 << 20)).toBe(tier);
    const resized = memoryTierFor(2 << 20);
    expect(resized).not.toBe(tier);
    expect(resized!.budgetBytes).toBe(2 << 20);
  });
});

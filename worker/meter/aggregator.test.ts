import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateTokens, picoPerToken, usdOf } from "../usage/money";
import { COUNT_FIELDS, minuteOf, UsageAggregator, type UsageRow } from "./aggregator";

const keyArb = fc.record({
  minute: fc.integer({ min: 0, max: 3 }).map((m) => m * 60),
  subject: fc.constantFrom("key:ci", "token:u1", "ip:1.2.3.4"),
  model: fc.constantFrom("a", "b"),
  provider: fc.constantFrom("together", "openai"),
  operation: fc.constantFrom("embeddings", "rerank"),
});
const countsArb = fc.record({
  num_requests: fc.nat(3),
  inputs: fc.nat(2048),
  memory_hits: fc.nat(100),
  store_hits: fc.nat(100),
  upstream_inputs: fc.nat(100),
  input_tokens: fc.nat(100_000),
  estimated_tokens: fc.nat(1000),
  cost_pico: fc.nat(10_000_000_000),
  saved_pico: fc.nat(10_000_000_000),
});

const total = (rows: readonly UsageRow[], field: (typeof COUNT_FIELDS)[number]) => rows.reduce((n, r) => n + r[field], 0);

describe("usage aggregator", () => {
  it("Should hand over exactly what was added, however adds, failed flushes and drains interleave", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, countsArb, fc.constantFrom("add", "drain", "fail")), { maxLength: 80 }), (steps) => {
        const aggregator = new UsageAggregator();
        const added = Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as Record<string, number>;
        const flushed: UsageRow[] = [];
        for (const [key, counts, step] of steps) {
          aggregator.add(key, counts);
          for (const f of COUNT_FIELDS) added[f] += counts[f];
          if (step === "drain") flushed.push(...aggregator.drain());
          if (step === "fail") aggregator.merge(aggregator.drain());
        }
        flushed.push(...aggregator.drain());
        for (const f of COUNT_FIELDS) expect(total(flushed, f)).toBe(added[f]);
        expect(aggregator.size).toBe(0);
      }),
    );
  });

  it("Should keep one row per minute, subject, model, provider and operation", () => {
    const aggregator = new UsageAggregator();
    const key = {
      minute: minuteOf(Date.UTC(2026, 0, 1, 10, 5, 30)),
      subject: "key:ci",
      model: "m",
      provider: "p",
      operation: "embeddings",
    };
    aggregator.add(key, { num_requests: 1, inputs: 2 });
    aggregator.add(key, { num_requests: 1, memory_hits: 1 });
    aggregator.add({ ...key, subject: "key:other" }, { num_requests: 1 });
    const rows = aggregator.drain();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ minute: Date.UTC(2026, 0, 1, 10, 5) / 1000, num_requests: 2, inputs: 2, memory_hits: 1 });
  });
});

describe("money", () => {
  it("Should price tokens in whole pico-dollars, so sums of many small requests stay exact", () => {
    expect(picoPerToken(0.0125)).toBe(12_500);
    expect(picoPerToken(0.02)).toBe(20_000);
    expect(picoPerToken(undefined)).toBe(0);
    // A million requests of 7 tokens at $0.02/M: exactly $0.14, where float dollars would drift.
    expect(usdOf(1_000_000 * 7 * picoPerToken(0.02))).toBe(0.14);
  });

  it("Should estimate 4 characters a token per text, the extra characters added to each", () => {
    expect(estimateTokens(["abcd", "abcde"])).toBe(3);
    expect(estimateTokens(["ab"], 6)).toBe(2);
  });
});

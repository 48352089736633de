import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApiError } from "../errors";
import { matches, parseFilter, parseOpenAIFilter } from "./filter";
import type { Metadata } from "./types";

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error("expected a refusal");
};

describe("parseFilter (Vectorize's language)", () => {
  it("Should read a bare value as $eq and AND several fields", () => {
    const filter = parseFilter({ color: "red", n: { $gte: 2, $lt: 5 } })!;
    expect(matches(filter, { color: "red", n: 3 })).toBe(true);
    expect(matches(filter, { color: "red", n: 5 })).toBe(false);
    expect(matches(filter, { color: "blue", n: 3 })).toBe(false);
  });

  it("Should refuse unknown operators, object values and oversized filters, naming the field", () => {
    expect(refusal(() => parseFilter({ n: { $near: 1 } })).param).toBe("filter.n");
    expect(refusal(() => parseFilter({ n: { $in: [{}] } })).param).toBe("filter.n");
    expect(refusal(() => parseFilter({ n: { $lt: true } })).param).toBe("filter.n");
    expect(refusal(() => parseFilter({ $and: 1 })).param).toBe("filter.$and");
    expect(refusal(() => parseFilter({ big: "x".repeat(3000) })).status).toBe(400);
    expect(refusal(() => parseFilter([1])).param).toBe("filter");
  });

  it("Should treat a missing field as passing only $ne and $nin, and never rank different types", () => {
    expect(matches(parseFilter({ x: { $ne: 1 } })!, {})).toBe(true);
    expect(matches(parseFilter({ x: { $nin: [1] } })!, {})).toBe(true);
    expect(matches(parseFilter({ x: 1 })!, {})).toBe(false);
    expect(matches(parseFilter({ x: { $gt: 1 } })!, { x: "2" })).toBe(false);
    expect(matches(parseFilter({ x: { $gt: "a" } })!, { x: "b" })).toBe(true);
  });

  it("Should match a string-array field that holds the value", () => {
    expect(matches(parseFilter({ tags: "a" })!, { tags: ["b", "a"] })).toBe(true);
    expect(matches(parseFilter({ tags: { $in: ["c", "a"] } })!, { tags: ["a"] })).toBe(true);
    expect(matches(parseFilter({ tags: { $nin: ["a"] } })!, { tags: ["a"] })).toBe(false);
  });
});

describe("parseOpenAIFilter", () => {
  it("Should read comparisons and nested and/or", () => {
    const filter = parseOpenAIFilter({
      type: "or",
      filters: [
        { type: "eq", key: "color", value: "red" },
        {
          type: "and",
          filters: [
            { type: "gte", key: "n", value: 10 },
            { type: "nin", key: "color", value: ["blue"] },
          ],
        },
      ],
    });
    expect(matches(filter, { color: "red", n: 0 })).toBe(true);
    expect(matches(filter, { color: "green", n: 12 })).toBe(true);
    expect(matches(filter, { color: "blue", n: 12 })).toBe(false);
  });

  it("Should refuse an unknown type naming where it is", () => {
    expect(refusal(() => parseOpenAIFilter({ type: "and", filters: [{ type: "near", key: "a", value: 1 }] })).param).toBe(
      "filters.filters[0].type",
    );
  });
});

// Properties: a parsed filter decides exactly what the same conditions decide written by hand.
const scalar = fc.oneof(fc.constantFrom("a", "b", "c"), fc.integer({ min: -3, max: 3 }), fc.boolean());
const metadata: fc.Arbitrary<Metadata> = fc.dictionary(fc.constantFrom("x", "y", "z"), scalar, { maxKeys: 3 });
const condition = fc.oneof(
  fc.record({ op: fc.constantFrom("$eq", "$ne"), value: scalar }),
  fc.record({
    op: fc.constantFrom("$lt", "$lte", "$gt", "$gte"),
    value: fc.oneof(fc.constantFrom("a", "b", "c"), fc.integer({ min: -3, max: 3 })),
  }),
  fc.record({ op: fc.constantFrom("$in", "$nin"), value: fc.array(scalar, { minLength: 1, maxLength: 3 }) }),
);

function byHand(op: string, want: unknown, have: unknown): boolean {
  switch (op) {
    case "$eq":
      return have === want;
    case "$ne":
      return have !== want;
    case "$in":
      return (want as unknown[]).includes(have);
    case "$nin":
      return !(want as unknown[]).includes(have);
  }
  if (have === undefined || typeof have !== typeof want || typeof have === "boolean") return false;
  const [a, b] = [have as number, want as number];
  return op === "$lt" ? a < b : op === "$lte" ? a <= b : op === "$gt" ? a > b : a >= b;
}

describe("filter properties", () => {
  it("Should keep exactly the records the conditions keep by hand", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("x", "y", "z"), condition, { minKeys: 1, maxKeys: 3 }),
        fc.array(metadata, { maxLength: 20 }),
        (conds, records) => {
          const raw = Object.fromEntries(Object.entries(conds).map(([field, { op, value }]) => [field, { [op]: value }]));
          const filter = parseFilter(raw)!;
          for (const m of records) {
            const expected = Object.entries(conds).every(([field, { op, value }]) => byHand(op, value, m[field]));
            expect(matches(filter, m)).toBe(expected);
          }
        },
      ),
    );
  });
});

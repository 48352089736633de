import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textHash } from "./text-hash";

describe("textHash", () => {
  it("Should give equal texts equal hashes of 32 hex characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        expect(textHash(text)).toBe(textHash(text.slice()));
      }),
    );
    expect(textHash("a")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("Should tell apart texts that differ by one character, order, or a prefix", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (a, b) => {
        if (a === b) return;
        expect(textHash(a)).not.toBe(textHash(b));
        if (a + b !== b + a) expect(textHash(a + b)).not.toBe(textHash(b + a));
      }),
    );
    expect(textHash("passage: x")).not.toBe(textHash("x"));
    expect(textHash("ab")).not.toBe(textHash("ba"));
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rankResults } from "./rank-results";

describe("rank results", () => {
  it("Should put the best score first", () => {
    expect(rankResults([0.1, 0.9, 0.5])).toEqual([
      { index: 1, score: 0.9 },
      { index: 2, score: 0.5 },
      { index: 0, score: 0.1 },
    ]);
  });

  it("Should keep input order between equal scores, so the same request always ranks the same way", () => {
    expect(rankResults([0.5, 0.7, 0.5, 0.7, 0.5]).map((r) => r.index)).toEqual([1, 3, 0, 2, 4]);
    expect(rankResults([0, -0, 0]).map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it("Should keep only the first top_n, and everything when top_n is larger than the list", () => {
    const scores = [0.2, 0.8, 0.4, 0.6];
    expect(rankResults(scores, 2).map((r) => r.index)).toEqual([1, 3]);
    expect(rankResults(scores, 1)).toEqual([{ index: 1, score: 0.8 }]);
    expect(rankResults(scores, 99)).toHaveLength(4);
    expect(rankResults(scores)).toHaveLength(4);
  });

  it("Should rank negative scores (Cohere-style logits) below positive ones", () => {
    expect(rankResults([-3.5, 2, -0.1]).map((r) => r.index)).toEqual([1, 2, 0]);
  });

  it("Should answer nothing for no scores", () => {
    expect(rankResults([])).toEqual([]);
    expect(rankResults([], 3)).toEqual([]);
  });

  it("Should return a best-first prefix of every index exactly once, for any finite scores", () => {
    const score = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 0.5, 1));
    fc.assert(
      fc.property(fc.array(score, { maxLength: 40 }), fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), (scores, topN) => {
        const ranked = rankResults(scores, topN);
        const all = rankResults(scores);
        expect(all.map((r) => r.index).sort((a, b) => a - b)).toEqual(scores.map((_, i) => i));
        expect(ranked).toEqual(all.slice(0, topN ?? scores.length));
        for (const r of all) expect(r.score).toBe(scores[r.index]);
        for (let i = 1; i < all.length; i++) {
          const [a, b] = [all[i - 1], all[i]];
          expect(a.score > b.score || (a.score === b.score && a.index < b.index)).toBe(true);
        }
      }),
      { seed: 10, numRuns: 300 },
    );
  });
});

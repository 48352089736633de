import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TopK } from "./top-k";
import type { Metric } from "./types";
import { normalize, rescore, VectorIndex } from "./vector-index";

function brute(metric: Metric, vectors: Float32Array[], query: Float32Array, k: number, keep: (i: number) => boolean) {
  const scored = vectors
    .map((v, i) => {
      let s = 0;
      for (let j = 0; j < v.length; j++) s += metric === "euclidean" ? (v[j] - query[j]) ** 2 : v[j] * query[j];
      return { position: i, score: metric === "euclidean" ? Math.sqrt(s) : s };
    })
    .filter((x) => keep(x.position));
  scored.sort((a, b) => (metric === "euclidean" ? a.score - b.score : b.score - a.score) || a.position - b.position);
  return scored.slice(0, k);
}

const vector = (dims: number) =>
  fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: dims, maxLength: dims }).map((a) => new Float32Array(a));

describe("TopK", () => {
  it("Should keep the k best of a stream, best first, equal to sorting everything", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: 1, max: 12 }), fc.boolean(), (scores, k, lower) => {
        const top = new TopK(k, lower);
        scores.forEach((s, i) => top.push(i, s));
        const expected = scores
          .map((score, position) => ({ position, score }))
          .sort((a, b) => (lower ? a.score - b.score : b.score - a.score) || a.position - b.position)
          .slice(0, k);
        expect(top.sorted()).toEqual(expected);
      }),
    );
  });
});

describe("VectorIndex", () => {
  for (const metric of ["cosine", "dot", "euclidean"] as Metric[]) {
    it(`Should answer what brute force answers after inserts, replacements and deletes (${metric})`, () => {
      const dims = 5;
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), vector(dims), fc.boolean()), { maxLength: 60 }),
          vector(dims),
          fc.integer({ min: 1, max: 10 }),
          fc.integer({ min: 1, max: 4 }),
          (ops, query, k, mod) => {
            const index = new VectorIndex(dims, metric, 2);
            const truth = new Map<string, Float32Array>();
            for (const [n, v, remove] of ops) {
              const id = `id${n}`;
              const stored = metric === "cosine" ? normalize(v.slice()) : v;
              if (remove) {
                index.delete(id);
                truth.delete(id);
              } else {
                index.set(id, stored);
                truth.set(id, stored);
              }
            }
            expect(index.count).toBe(truth.size);
            const q = metric === "cosine" ? normalize(query.slice()) : query;
            const keep = (id: string) => Number(id.slice(2)) % mod === 0;
            const got = index.search(q, k, (slot) => keep(index.ids[slot])).map((h) => ({ id: index.ids[h.position], score: h.score }));
            const ids = [...truth.keys()];
            const expected = brute(
              metric,
              ids.map((id) => truth.get(id)!),
              q,
              k,
              (i) => keep(ids[i]),
            );
            expect(got.map((g) => g.score)).toEqual(expected.map((e) => expect.closeTo(e.score, 5)));
            // Ids agree wherever scores are not tied.
            got.forEach((g, i) => {
              const tied = expected.filter((e) => Math.abs(e.score - g.score) < 1e-6).map((e) => ids[e.position]);
              expect(tied).toContain(g.id);
              expect(truth.has(g.id)).toBe(true);
              void i;
            });
          },
        ),
      );
    });
  }
});

describe("VectorIndex in int8 mode", () => {
  for (const metric of ["cosine", "dot", "euclidean"] as Metric[]) {
    it(`Should find brute force's top-k once every candidate is rescored exactly (${metric})`, () => {
      const dims = 6;
      fc.assert(
        fc.property(
          fc.array(vector(dims), { minLength: 1, maxLength: 40 }),
          vector(dims),
          fc.integer({ min: 1, max: 8 }),
          (vectors, query, k) => {
            // A zero budget: int8 from the first vector on.
            const index = new VectorIndex(dims, metric, 2, 0);
            const stored = vectors.map((v) => (metric === "cosine" ? normalize(v.slice()) : v));
            stored.forEach((v, i) => index.set(`id${i}`, v));
            index.delete("id0");
            expect(index.quantized).toBe(true);
            const q = metric === "cosine" ? normalize(query.slice()) : query;
            const candidates = index.search(q, index.count).map(({ position }) => {
              const id = index.ids[position];
              return { id, vector: stored[Number(id.slice(2))] };
            });
            const got = rescore(metric, q, candidates, k);
            const live = stored.slice(1);
            const expected = brute(metric, live, q, k, () => true);
            expect(got.map((g) => g.score)).toEqual(expected.map((e) => expect.closeTo(e.score, 5)));
          },
        ),
      );
    });
  }

  it("Should switch to int8 when growing past its budget, keeping every vector findable", () => {
    const index = new VectorIndex(4, "dot", 2, 4 * 4 * 8);
    for (let i = 0; i < 20; i++) index.set(`id${i}`, new Float32Array([i, 1, 0, 0]));
    expect(index.quantized).toBe(true);
    expect(index.search(new Float32Array([1, 0, 0, 0]), 1).map((h) => index.ids[h.position])).toEqual(["id19"]);
  });
});

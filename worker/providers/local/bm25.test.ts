import { describe, expect, it } from "vitest";
import { bm25Scores } from "./bm25";

// The documents of the Together docs' rerank example (reference/together-openapi.yaml, POST /rerank).
const LLAMA =
  "The llama is a domesticated South American camelid, widely used as a meat and pack animal by Andean cultures since the pre-Columbian era.";
const PANDA = "The giant panda (Ailuropoda melanoleuca), also known as the panda bear or simply panda, is a bear species endemic to China.";
const GUANACO =
  "The guanaco is a camelid native to South America, closely related to the llama. Guanacos are one of two wild South American camelids; the other species is the vicuña, which lives at higher elevations.";
const CAMEL =
  "The wild Bactrian camel (Camelus ferus) is an endangered species of camel endemic to Northwest China and southwestern Mongolia.";
const DOCS = [LLAMA, PANDA, GUANACO, CAMEL];

const ranking = (scores: number[]) =>
  scores
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score)
    .map((r) => r.index);

describe("local/bm25-rerank scores", () => {
  it("Should rank the llama first for the Together docs' question 'What animals can I find near Peru?'", () => {
    const scores = bm25Scores("What animals can I find near Peru?", DOCS);
    // Only the llama document shares a word with the question ("animal" for "animals"): lexical, not semantic.
    expect(ranking(scores)[0]).toBe(0);
    expect(scores[0]).toBeGreaterThan(0.2);
    expect(scores.slice(1)).toEqual([0, 0, 0]);
  });

  it("Should rank the South American camelids above the panda for 'camelids of South America'", () => {
    const scores = bm25Scores("camelids of South America", DOCS);
    expect(ranking(scores).slice(0, 2).sort()).toEqual([0, 2]);
    expect(scores[1]).toBe(0);
  });

  it("Should score in [0, 1] and the same every time", () => {
    for (const query of ["What animals can I find near Peru?", "camel camel camel China", "the", "llama"]) {
      const scores = bm25Scores(query, DOCS);
      for (const s of scores) expect(s >= 0 && s <= 1 && Number.isFinite(s)).toBe(true);
      expect(bm25Scores(query, DOCS)).toEqual(scores);
    }
  });

  it("Should give a document's score regardless of where it stands in the list", () => {
    const forward = bm25Scores("wild camelids of China", DOCS);
    const backward = bm25Scores("wild camelids of China", [...DOCS].reverse());
    expect(backward.reverse()).toEqual(forward);
  });

  it("Should score 0 for documents sharing no word with the query", () => {
    expect(bm25Scores("quarterly tax filing deadline", DOCS)).toEqual([0, 0, 0, 0]);
    expect(bm25Scores("?!", DOCS)).toEqual([0, 0, 0, 0]);
  });

  it("Should match plural and longer forms of a word, but not short unrelated prefixes", () => {
    expect(bm25Scores("animals", ["an animal", "a canal"])[0]).toBeGreaterThan(0);
    expect(bm25Scores("llamas", ["the llama"])[0]).toBeGreaterThan(0);
    expect(bm25Scores("can", ["canada", "cans"])).toEqual([0, 0]);
  });

  it("Should rank a document using the query's words more often and more densely higher", () => {
    const scores = bm25Scores("panda", [
      "a panda",
      "a panda, a panda and another panda",
      "a panda in a long text about many other animals and places",
    ]);
    expect(ranking(scores)).toEqual([1, 0, 2]);
  });

  it("Should score the same pair differently when the other documents change, so scores are never cached per pair", () => {
    const alone = bm25Scores("llama wool", ["llama wool", "sheep wool"])[0];
    const crowded = bm25Scores("llama wool", ["llama wool", "llama meat", "llama pack"])[0];
    expect(alone).not.toBe(crowded);
  });

  it("Should give zeros, not NaN, for documents without words", () => {
    expect(bm25Scores("llama", ["", "...", "🦙"])).toEqual([0, 0, 0]);
    expect(bm25Scores("llama", [])).toEqual([]);
  });

  it("Should score Chinese documents character by character", () => {
    const scores = bm25Scores("骆驼", ["骆驼生活在沙漠", "熊猫生活在中国"]);
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[1]).toBe(0);
  });
});

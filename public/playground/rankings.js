// The two rankings of the texts for the query: by cosine of the embeddings (computed in the page),
// and by the reranker (scored by the gateway). Shown side by side so the difference is visible.
import { el, fill } from "./dom.js";

/** One ranked line: position, the text's number and text, a bar and the score. */
function rankItem(rank, index, text, score, width) {
  return el(
    "li",
    { class: "rank" },
    el("span", { class: "pos" }, String(rank)),
    el("span", { class: "text", title: text }, el("span", { class: "tag" }, String(index + 1)), text),
    el("span", { class: "bar", vars: { w: Math.max(0, Math.min(1, width)).toFixed(3) } }),
    el("span", { class: "score" }, score.toFixed(3)),
  );
}

/**
 * The `k` texts most similar to the query by cosine; bars are relative to the best match, since
 * cosine is not a probability and its useful range depends on the model.
 * @param {HTMLElement} list @param {string[]} texts @param {number[]} similarities @param {number} k
 */
export function renderMatches(list, texts, similarities, k = 3) {
  const ranked = similarities
    .map((score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
  const best = Math.max(ranked[0]?.score ?? 1, 1e-9);
  fill(list, ...ranked.map((r, i) => rankItem(i + 1, r.index, texts[r.index], r.score, r.score / best)));
}

/**
 * Rerank results, best first; relevance scores are in [0, 1], so bars are absolute.
 * @param {HTMLElement} list @param {string[]} texts @param {{ index: number, score: number }[]} results
 */
export function renderRerank(list, texts, results) {
  fill(list, ...results.map((r, i) => rankItem(i + 1, r.index, texts[r.index], r.score, r.score)));
}

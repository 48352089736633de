// The cosine-similarity heatmap: one row for the query, then texts x texts. Colours are scaled to
// the range of the off-diagonal values, because real embedding models put most pairs within a
// narrow band (0.6 to 0.9 is common): an absolute 0..1 scale would paint everything the same.
import { cosine } from "/client.js";
import { el, fill } from "./dom.js";

/**
 * @param {HTMLElement} container
 * @param {{ query: string, texts: string[], queryVector: ArrayLike<number>, vectors: ArrayLike<number>[] }} data
 * @returns {number[]} the query's similarity to each text
 */
export function renderHeatmap(container, { query, texts, queryVector, vectors }) {
  const matrix = vectors.map((a) => vectors.map((b) => cosine(a, b)));
  const queryRow = vectors.map((v) => cosine(queryVector, v));
  const offDiagonal = [...queryRow, ...matrix.flatMap((row, i) => row.filter((_, j) => j !== i))];
  const lo = Math.min(...offDiagonal);
  const hi = Math.max(...offDiagonal);
  const heat = (value) => (hi - lo < 1e-9 ? 0.5 : Math.min(1, Math.max(0, (value - lo) / (hi - lo))));

  // Rounded for display; "-0.00" would look like a sign that means something.
  const show = (value) => (Math.abs(value) < 0.005 ? 0 : value).toFixed(2);
  const cell = (value, { self = false } = {}) =>
    el(
      "td",
      {
        class: self ? "cell self" : heat(value) > 0.62 ? "cell hot" : "cell",
        vars: self ? {} : { t: heat(value).toFixed(3) },
        title: value.toFixed(4),
      },
      show(value),
    );
  const rowHead = (label, text, extra = "") =>
    el(
      "th",
      { scope: "row", class: `row-head ${extra}`, title: text },
      el("span", { class: "tag" }, label),
      el("span", { class: "snippet" }, text),
    );

  const head = el(
    "tr",
    {},
    el("th", { class: "corner" }),
    ...texts.map((text, i) => el("th", { scope: "col", title: text }, String(i + 1))),
  );
  const rows = [
    el("tr", { class: "query-row" }, rowHead("Q", query, "query"), ...queryRow.map((v) => cell(v))),
    ...matrix.map((row, i) => el("tr", {}, rowHead(String(i + 1), texts[i]), ...row.map((v, j) => cell(v, { self: i === j })))),
  ];
  const legend = el(
    "div",
    { class: "legend" },
    el("span", {}, lo.toFixed(2)),
    el("span", { class: "scale", "aria-hidden": "true" }),
    el("span", {}, hi.toFixed(2)),
    el("span", { class: "muted" }, "colour scaled to this range; diagonal = 1"),
  );
  fill(container, el("table", { class: "heat" }, el("thead", {}, head), el("tbody", {}, ...rows)), legend);
  return queryRow;
}

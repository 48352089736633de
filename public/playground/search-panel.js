// The search panel: indexes the texts box into a collection (created with the selected embedding
// model when missing), lists the collections there are, and searches one with the client's
// collections entry point, showing vector and rerank scores and the cache outcome of both steps.
import { withCollections } from "/client-collections.js";
import { el, fill } from "./dom.js";

/**
 * @typedef {{ collection: HTMLInputElement, collections: HTMLDataListElement, index: HTMLButtonElement,
 *   search: HTMLButtonElement, rerank: HTMLInputElement, note: HTMLElement, summary: HTMLElement, results: HTMLOListElement }} SearchUI
 * @typedef {{ client(options?: { noCache?: boolean }): any, request(method: string, path: string, body?: unknown): Promise<any> }} Gateway
 */

/**
 * @param {SearchUI} ui
 * @param {{ gateway: Gateway, inputs(): { texts: string[], query: string }, embedModel(): string, rerankModel(): string,
 *   noCache(): boolean, lastResponse(path: string): { headers?: Headers, cache: string | null, ms: number } | undefined,
 *   setStatus(text: string, kind?: string): void, showError(err: unknown): void }} page
 */
export function initSearchPanel(ui, page) {
  const name = () => ui.collection.value.trim();

  async function listCollections() {
    const { data } = await page.gateway.request("GET", "/v1/collections");
    fill(ui.collections, ...data.map((/** @type {{ name: string }} */ c) => el("option", { value: c.name })));
    const current = data.find((/** @type {{ name: string }} */ c) => c.name === name());
    ui.note.textContent = current
      ? `${current.name}: ${current.count} records, ${current.model}, ${current.metric}, ${current.store} store`
      : `${data.length} collection${data.length === 1 ? "" : "s"} here; indexing creates '${name()}'.`;
  }

  /** Runs one action with the panel's buttons disabled. */
  async function busy(/** @type {() => Promise<void>} */ action) {
    ui.index.disabled = ui.search.disabled = true;
    try {
      await action();
    } catch (err) {
      page.showError(err);
    } finally {
      ui.index.disabled = ui.search.disabled = false;
    }
  }

  const indexTexts = () =>
    busy(async () => {
      const { texts } = page.inputs();
      const path = `/v1/collections/${encodeURIComponent(name())}`;
      await page.gateway.request("PUT", path, { model: page.embedModel() });
      const records = texts.map((text, i) => ({ id: `t${i + 1}`, text }));
      const done = await page.gateway.request("POST", `${path}/records`, { records });
      page.setStatus(`Indexed: ${done.upserted} upserted, ${done.unchanged} unchanged, ${done.embedded} embedded upstream.`, "ok");
      await listCollections();
    });

  const search = () =>
    busy(async () => {
      const { query } = page.inputs();
      fill(ui.summary);
      const ee = withCollections(page.gateway.client({ noCache: page.noCache() }));
      const rerank = ui.rerank.checked ? page.rerankModel() : undefined;
      const hits = await ee.search(name(), query, { topK: 10, include: ["text"], rerank });
      const last = page.lastResponse(`/v1/collections/${encodeURIComponent(name())}/query`);
      renderResults(hits, last);
      page.setStatus(`Found ${hits.length} records in '${name()}'.`, "ok");
    });

  /** @param {{ id: string, score: number, rerankScore?: number, text?: string }[]} hits @param {any} last */
  function renderResults(hits, last) {
    const badge = (/** @type {string} */ label, /** @type {string | null | undefined} */ status) =>
      status ? el("span", {}, `${label} `, el("span", { class: `badge cache-${status.toLowerCase()}` }, status)) : null;
    fill(
      ui.summary,
      el(
        "p",
        { class: "summary" },
        badge("query embedding", last?.cache),
        badge("rerank", last?.headers?.get("x-rerank-cache")),
        last ? el("span", {}, `${Math.round(last.ms)} ms`) : null,
      ),
    );
    fill(
      ui.results,
      ...hits.map((hit, i) =>
        el(
          "li",
          { class: "rank hit" },
          el("span", { class: "pos" }, String(i + 1)),
          el("span", { class: "text", title: hit.text ?? "" }, el("span", { class: "tag" }, hit.id), hit.text ?? ""),
          el("span", { class: "score vector-score", title: "vector similarity" }, hit.score.toFixed(3)),
          el(
            "span",
            { class: "score rerank-score", title: "rerank relevance" },
            hit.rerankScore === undefined ? "—" : hit.rerankScore.toFixed(3),
          ),
        ),
      ),
    );
  }

  ui.index.addEventListener("click", indexTexts);
  ui.search.addEventListener("click", search);
  return {
    /** Once the page has a working credential. */
    enable() {
      ui.index.disabled = ui.search.disabled = false;
      listCollections().catch(() => {
        ui.note.textContent = "This credential cannot list collections.";
      });
    },
  };
}

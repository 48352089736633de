// What the gateway did for each request, read from its response headers: the cache outcome
// (X-Cache, X-Cache-Hits, X-Cache-Misses, X-Cache-Breakdown), the provider that answered
// (X-Provider) and the latency seen by the page.
import { el } from "./dom.js";

/**
 * @typedef {{ path: string, method: string, status: number, ms: number, cache: string | null,
 *   hits: string | null, misses: string | null, breakdown: string | null, provider: string | null,
 *   requestId: string | null }} RequestSummary
 */

/** @param {import("./gateway.js").ResponseInfo} info @returns {RequestSummary} */
export function summarize(info) {
  const h = info.headers;
  return {
    path: new URL(info.url, location.href).pathname,
    method: info.method,
    status: info.status,
    ms: info.ms,
    cache: h.get("x-cache"),
    hits: h.get("x-cache-hits"),
    misses: h.get("x-cache-misses"),
    breakdown: h.get("x-cache-breakdown"),
    provider: h.get("x-provider"),
    requestId: h.get("x-request-id"),
  };
}

const cacheBadge = (/** @type {RequestSummary} */ s) =>
  s.cache ? el("span", { class: `badge cache-${s.cache.toLowerCase()}` }, s.cache) : el("span", { class: "muted" }, "—");

/** Who answered: the provider, or nobody when every input came from the cache. */
const provider = (/** @type {RequestSummary} */ s) => s.provider ?? (s.cache === "HIT" ? "none (all cached)" : "—");

const counts = (/** @type {RequestSummary} */ s) =>
  s.hits === null && s.misses === null ? "—" : `${s.hits ?? 0} hit / ${s.misses ?? 0} miss`;

/** A one-line account of a request, shown under the result it produced. */
export function summaryLine(/** @type {RequestSummary} */ s) {
  return el(
    "p",
    { class: "summary" },
    cacheBadge(s),
    el("span", {}, counts(s)),
    el("span", {}, `provider ${provider(s)}`),
    el("span", {}, `${Math.round(s.ms)} ms`),
    s.breakdown ? el("span", {}, s.breakdown) : null,
  );
}

/** A row of the request log table. */
export function logRow(/** @type {RequestSummary} */ s) {
  return el(
    "tr",
    {},
    el("td", {}, el("code", {}, `${s.method} ${s.path}`)),
    el("td", { class: s.status >= 400 ? "status bad" : "status" }, String(s.status)),
    el("td", {}, cacheBadge(s)),
    el("td", { class: "num" }, counts(s)),
    el("td", {}, s.breakdown ?? "—"),
    el("td", {}, provider(s)),
    el("td", { class: "num" }, `${Math.round(s.ms)} ms`),
    el("td", { class: "muted mono" }, s.requestId ? s.requestId.slice(0, 8) : "—"),
  );
}

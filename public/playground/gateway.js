// Talks to the gateway this page is served from: the model list with a plain fetch, embeddings and
// rerank with the browser client from /client.js. Every HTTP answer is reported to `onResponse` with
// its status, headers and latency (the client's own `onResponse` hook for its calls), so the page
// can show what the gateway did.
import { createClient } from "/client.js";

/** A failed call the page can explain: HTTP status and the gateway's error code, if any. */
export class GatewayError extends Error {
  /** @param {string} message @param {number} status @param {string} code */
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @typedef {{ url: string, method: string, status: number, headers: Headers, ms: number }} ResponseInfo
 * @typedef {{ id: string, type: "embedding" | "rerank", dimensions?: number, context_length?: number,
 *   max_batch: number, provider?: string, owned_by: string, description?: string }} Model
 */

/**
 * @param {{ onResponse: (info: ResponseInfo) => void }} options
 */
export function createGateway({ onResponse }) {
  // The credential lives in this closure only: never localStorage, gone on reload.
  let credential = "";

  /** @type {typeof fetch} Asks the gateway to skip its cache read; it still stores what the provider answers. */
  function noCacheFetch(input, init = {}) {
    const headers = new Headers(init.headers);
    headers.set("cache-control", "no-cache");
    return fetch(input, { ...init, headers });
  }

  /** The client for one run (the credential may have changed since the last). */
  function client({ noCache = false } = {}) {
    return createClient({
      baseURL: location.origin,
      token: credential || undefined,
      retries: 1,
      ...(noCache ? { fetch: noCacheFetch } : {}),
      // The client only POSTs (embeddings, rerank).
      onResponse: (info) => onResponse({ ...info, method: "POST" }),
    });
  }

  /** @returns {Promise<Model[]>} */
  async function listModels() {
    const started = performance.now();
    const res = await fetch("/v1/models", { headers: credential ? { authorization: `Bearer ${credential}` } : {} });
    const body = await res.json().catch(() => ({}));
    // Timed to the end of the body, as the client times its calls.
    onResponse({ url: res.url, method: "GET", status: res.status, headers: res.headers, ms: performance.now() - started });
    if (!res.ok) throw new GatewayError(body.error?.message ?? `HTTP ${res.status}`, res.status, body.error?.code ?? "http_error");
    return body.data;
  }

  /**
   * A JSON call by plain fetch (collections), reported like the client's; a GatewayError when refused.
   * @param {string} method @param {string} path @param {unknown} [body]
   */
  async function request(method, path, body) {
    const started = performance.now();
    const headers = {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    };
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    onResponse({ url: res.url, method, status: res.status, headers: res.headers, ms: performance.now() - started });
    if (!res.ok) throw new GatewayError(json.error?.message ?? `HTTP ${res.status}`, res.status, json.error?.code ?? "http_error");
    return json;
  }

  return {
    client,
    listModels,
    request,
    /** @param {string} value */
    setCredential: (value) => (credential = value.trim()),
    hasCredential: () => credential !== "",
  };
}

/** Whether a model computes word overlap rather than meaning (the gateway's keyless local models). */
export const isLexical = (/** @type {Model} */ model) => model.provider === "local" || model.id.startsWith("local/");

/**
 * embed-edge browser client: embeddings and rerank through an embed-edge gateway, so the page
 * never holds the provider key. Zero dependencies, fetch only. Every public export is listed here.
 *
 * @example
 * const ee = createClient({ baseURL: "https://embed.example.com", token: () => getToken() });
 * const [q, ...docs] = await ee.embed([question, ...passages]);
 * const best = topK(q, docs, 3);
 */
export {
  type ClientOptions,
  createClient,
  type EmbedEdgeClient,
  type EmbedManyOptions,
  type RequestOptions,
  type RerankOptions,
  type RerankResult,
  type ResponseInfo,
} from "./client.js";
export { EmbedEdgeError, type EmbedEdgeErrorOptions, isEmbedEdgeError } from "./errors.js";
export { retryDelay } from "./retry.js";
export type { TokenSource } from "./token.js";
export { cosine, decodeVector, topK } from "./vectors.js";

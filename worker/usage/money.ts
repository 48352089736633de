import type { ServedModel } from "../catalogue/resolve";

/**
 * Money is kept in integer pico-dollars (1e-12 USD) so sums are exact: a price of $0.0125 per million
 * tokens is 12,500 pico-dollars a token, an integer, where a float sum of per-request dollars would
 * drift. A price with more than six decimals (per million tokens) is rounded to the nearest
 * pico-dollar a token. Per-request and per-flush sums stay far below 2^53 pico-dollars ($9,007).
 */
export const PICO_PER_USD = 1e12;

/** Pico-dollars a token at a price in USD per million tokens. */
export const picoPerToken = (pricePerMillion: number | undefined): number => Math.round((pricePerMillion ?? 0) * 1e6);

/** The price (pico-dollars a token) of one served route: its own price, else the model's, else 0. */
export function routePicoPerToken(model: ServedModel, routeIndex: number): number {
  const route = model.routes[routeIndex]?.route;
  return picoPerToken(route?.price_per_million_tokens ?? model.spec.price_per_million_tokens);
}

/** Dollars from pico-dollars, for JSON: an integer of pico-dollars divided once at the edge. */
export const usdOf = (pico: number): number => pico / PICO_PER_USD;

/** Pico-dollars from dollars (a budget's `max_usd`). */
export const picoOf = (usd: number): number => Math.round(usd * PICO_PER_USD);

/**
 * Estimated tokens of texts that were not sent upstream (cache hits, budget reservations): about 4
 * characters a token per text, as `estimateUsage` counts providers that report none. `extraChars` is
 * added to each text (a rerank query goes up with every document).
 */
export function estimateTokens(texts: readonly string[], extraChars = 0): number {
  let tokens = 0;
  for (const text of texts) tokens += Math.ceil((text.length + extraChars) / 4);
  return tokens;
}

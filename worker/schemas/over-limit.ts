import type { ServedModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";
import { requireWellFormed } from "./well-formed";

/** A 400 naming the limit and its value. */
export function overLimit(param: string, what: string, limit: number, setting: string): ApiError {
  return new ApiError(400, "limit_exceeded", `${what} exceeds this gateway's limit of ${limit} (${setting}).`, { param });
}

/** A search query as collections take it: within MAX_QUERY_CHARS and well-formed text, or a 400 naming `query`. */
export function requireQuery(query: string, limits: GatewayConfig["limits"]): void {
  if (query.length > limits.maxQueryChars)
    throw overLimit("query", `The query length (${query.length} characters)`, limits.maxQueryChars, "MAX_QUERY_CHARS");
  requireWellFormed([query], () => "query");
}

/**
 * Refuses holding more than MAX_RESPONSE_VALUES vector values at once (items x the model's native
 * dimensions): an embeddings answer's inputs, an upsert's records. The refusal says how many fit.
 */
export function requireHeldValues(limits: GatewayConfig["limits"], items: number, dimensions: number, param: "input" | "records"): void {
  const held = items * dimensions;
  if (held <= limits.maxResponseValues) return;
  const noun = param === "input" ? "inputs" : "records";
  const most = Math.floor(limits.maxResponseValues / dimensions);
  throw new ApiError(
    400,
    "limit_exceeded",
    `${items} ${noun} x ${dimensions} dimensions (${held} values) exceed this gateway's limit of ${limits.maxResponseValues} (MAX_RESPONSE_VALUES): send at most ${most} ${noun} a request for this model.`,
    { param },
  );
}

/**
 * Refuses an embeddings response larger than the gateway lets one request hold: inputs x dimensions
 * (MAX_RESPONSE_VALUES), and for float JSON, which prints every number, MAX_FLOAT_VALUES, pointing to
 * base64 when that would be accepted. Counted by inputs, duplicates included: each is in the answer.
 */
export function requireResponseSize(
  limits: GatewayConfig["limits"],
  inputs: number,
  nativeDimensions: number,
  dimensions: number,
  encoding: "float" | "base64",
): void {
  requireHeldValues(limits, inputs, nativeDimensions, "input");
  const printed = inputs * dimensions;
  if (encoding === "float" && printed > limits.maxFloatValues) {
    const what = `A float response of ${inputs} inputs x ${dimensions} dimensions (${printed} values)`;
    throw new ApiError(
      400,
      "limit_exceeded",
      `${what} exceeds this gateway's limit of ${limits.maxFloatValues} (MAX_FLOAT_VALUES). Send 'encoding_format: "base64"' (the same vectors as little-endian float32, 4-5x smaller), or fewer inputs.`,
      { param: "encoding_format" },
    );
  }
}

/**
 * The local models compute in the gateway's own isolate, so what one request may give them is bounded
 * apart from the upstream limits: LOCAL_MAX_CHARS characters, as `chars` counts them (rerank counts
 * the query once per document, as BM25 scores it against each). Checked before the cache, so a
 * refusal does not depend on what others asked before.
 */
export function requireLocalVolume(
  limits: GatewayConfig["limits"],
  model: ServedModel,
  param: "input" | "documents",
  chars: () => number,
): void {
  if (!model.routes.some(({ provider }) => provider.kind === "local")) return;
  const volume = chars();
  if (volume > limits.localMaxChars)
    throw overLimit(param, `The local model's work for this request (${volume} characters)`, limits.localMaxChars, "LOCAL_MAX_CHARS");
}

import type { z } from "@hono/zod-openapi";
import type { ServedModel } from "../catalogue/resolve";
import { type ModelDirectory, requireDimensions, requireModel } from "../catalogue/resolve";
import type { GatewayConfig } from "../config";
import type { EmbeddingsRequestSchema } from "./embeddings";
import { overLimit, requireLocalVolume, requireResponseSize } from "./over-limit";
import { requireWellFormed } from "./well-formed";

/** An embeddings request as the gateway serves it: checked against the model and every limit. */
export interface EmbeddingsCall {
  model: ServedModel;
  /** The public id the client named, echoed in the answer. */
  modelName: string;
  inputs: readonly string[];
  /** The size asked for, and the model's own. */
  dimensions: number;
  nativeDimensions: number;
  encoding: "float" | "base64";
}

/**
 * Reads a validated body into the call it asks for, refusing (400, naming the param) what the model
 * or the limits do not allow, before anything is looked up or sent.
 */
export function readEmbeddingsRequest(
  body: z.infer<typeof EmbeddingsRequestSchema>,
  models: ModelDirectory,
  limits: GatewayConfig["limits"],
): EmbeddingsCall {
  const model = requireModel(models, body.model, "embedding");
  const native = model.spec.dimensions!;
  const dimensions = requireDimensions(model, body.model, body.dimensions);
  const inputs = typeof body.input === "string" ? [body.input] : body.input;
  const { maxInputs, maxInputChars } = limits;
  if (inputs.length > maxInputs) throw overLimit("input", `The number of inputs (${inputs.length})`, maxInputs, "MAX_INPUTS");
  const tooLong = inputs.findIndex((text) => text.length > maxInputChars);
  if (tooLong >= 0)
    throw overLimit(
      `input[${tooLong}]`,
      `The length of input ${tooLong} (${inputs[tooLong].length} characters)`,
      maxInputChars,
      "MAX_INPUT_CHARS",
    );
  requireWellFormed(inputs, typeof body.input === "string" ? () => "input" : (i) => `input[${i}]`);
  const encoding = body.encoding_format ?? "float";
  requireResponseSize(limits, inputs.length, native, dimensions, encoding);
  requireLocalVolume(limits, model, "input", () => inputs.reduce((sum, text) => sum + text.length, 0));
  return { model, modelName: body.model, inputs, dimensions, nativeDimensions: native, encoding };
}

import { ApiError } from "../errors";
import type { GatewayConfig } from "../config";
import type { ModelSpec } from "../models";

/** The configured model for `id`, or a 404 before any upstream call. */
export function requireModel(config: GatewayConfig, id: string, type: ModelSpec["type"]): ModelSpec {
  const model = config.models.get(id);
  if (!model) {
    throw new ApiError(404, "model_not_found", `The model '${id}' is not served by this gateway; GET /v1/models lists the ones that are.`, { param: "model" });
  }
  if (model.type !== type) {
    throw new ApiError(400, "model_type_mismatch", `The model '${id}' is a ${model.type} model, not a ${type} model.`, { param: "model" });
  }
  return model;
}

/** A 400 naming the limit and its value. */
export function overLimit(param: string, what: string, limit: number, setting: string): ApiError {
  return new ApiError(400, "limit_exceeded", `${what} exceeds this gateway's limit of ${limit} (${setting}).`, { param });
}

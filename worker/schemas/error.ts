import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../errors";

export const ErrorDataSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi("ErrorData");

/** `input[3]`, `documents[0].text`: the param name Together-style clients show. */
function paramName(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((name, part) => (typeof part === "number" ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)), "");
}

/** Turns the first schema violation into a 400 naming the offending param. */
export function validationError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new ApiError(400, "unknown_parameter", `Unknown parameter: '${key}'.`, { param: key });
  }
  const param = paramName(issue.path);
  const missing = issue.code === "invalid_type" && issue.input === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid '${param ?? "body"}': ${issue.message}.`;
  return new ApiError(400, missing ? "missing_parameter" : "invalid_parameter", message, { param });
}

/** The OpenAPIHono `defaultHook`: every failed validation becomes our 400. */
export function rejectInvalid(result: { success: boolean; error?: z.ZodError }, c: Context): void {
  if (result.success) return;
  const contentType = c.req.header("content-type") ?? "";
  if (c.req.method === "POST" && !/json/i.test(contentType)) {
    throw new ApiError(400, "invalid_content_type", "Send the body as JSON with 'Content-Type: application/json'.");
  }
  throw validationError(result.error!);
}

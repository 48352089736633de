import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

declare global {
  interface ErrorConstructor {
    /** V8's: how many frames a new Error captures (workers-types leaves it out). */
    stackTraceLimit: number;
  }
}

/** Together's error `type` values, so SDKs map them to their own error classes. */
export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "upstream_error"
  | "server_error";

export interface ErrorBody {
  error: { message: string; type: ErrorType; param: string | null; code: string | null };
}

/**
 * The one error class of the gateway. Everything a client can see as an error is an ApiError,
 * rendered in Together's `{error:{message,type,param,code}}` shape by `onError`.
 *
 * @example
 * throw new ApiError(404, "model_not_found", `Model "${id}" is not served here`, { type: "not_found_error", param: "model" });
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { type?: ErrorType; param?: string | null; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    // A refusal (4xx) is the client's mistake, rendered as JSON at once: its stack trace would never
    // be read, and capturing one is a measurable part of answering a 400. 5xx keep theirs.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      // Restored even if construction fails (stack exhaustion): later errors keep their stacks.
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultType(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return status === 500 ? "server_error" : "upstream_error";
  return "invalid_request_error";
}

/** A 400 for a request field, the most common refusal. */
export function invalidParam(param: string | null, message: string, code = "invalid_request"): ApiError {
  return new ApiError(400, code, message, { param });
}

/** A 502 for an upstream answer of the wrong shape; never cached, and the next route may answer. */
export const badUpstreamResponse = (provider: string, what: string) =>
  new ApiError(502, "upstream_bad_response", `The ${provider} provider answered with ${what}.`);

/** A 415 for a body that is not JSON, whichever layer notices. */
export const unsupportedMediaType = () =>
  new ApiError(415, "invalid_content_type", "Send the body as JSON with 'Content-Type: application/json'.");

/** A 413 for a body over MAX_BODY_BYTES, whether declared or counted as it streams in. */
export const bodyTooLarge = (maxSize: number) =>
  new ApiError(413, "body_too_large", `The request body exceeds this gateway's limit of ${maxSize} bytes (MAX_BODY_BYTES).`);

/** Hono's own HTTPExceptions (malformed JSON, body limit) become ApiErrors with our codes. */
function fromHttpException(err: HTTPException): ApiError {
  const status = err.status as ContentfulStatusCode;
  if (status === 400) return invalidParam(null, "The request body is not valid JSON.", "invalid_json");
  if (status === 415) return unsupportedMediaType();
  if (status === 401) return new ApiError(401, "unauthorized", "A valid credential is required.");
  return new ApiError(status, "http_error", err.message || "Request refused.");
}

/** The app's single `onError`: known errors keep their status; anything else is a 500 that reveals nothing. */
export function renderError(err: Error, c: Context): Response {
  let apiError: ApiError;
  if (err instanceof ApiError) apiError = err;
  else if (err instanceof HTTPException) apiError = fromHttpException(err);
  else {
    console.error(
      JSON.stringify({
        level: "error",
        request_id: c.get("requestId"),
        message: "unhandled error",
        error: `${err?.name}: ${err?.message}`,
      }),
    );
    apiError = new ApiError(500, "internal_error", "The gateway failed to handle this request.");
  }
  for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
  c.header("Cache-Control", "no-store");
  return c.json(apiError.toBody(), apiError.status);
}

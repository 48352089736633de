import { z } from "@hono/zod-openapi";
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

const errorResponse = (description: string, headers?: Record<string, { description: string; schema: { type: "string" } }>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: ErrorDataSchema } },
});
const retryAfter = { "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "string" as const } } };
const wwwAuthenticate = { "WWW-Authenticate": { description: 'Bearer realm="embed-edge"', schema: { type: "string" as const } } };

/** The refusals every authenticated route shares, for the OpenAPI document. */
export const ACCESS_ERRORS = {
  401: errorResponse("Missing or invalid credential, or an expired token", wwwAuthenticate),
  403: errorResponse("Origin not in ALLOWED_ORIGINS, token for another origin, or missing scope"),
  405: errorResponse("Method not allowed (see Allow); checked before authentication"),
  429: errorResponse("Rate limited", retryAfter),
} as const;

/** The error responses the embeddings and rerank routes share, for the OpenAPI document. */
export const ITEM_ROUTE_ERRORS = {
  ...ACCESS_ERRORS,
  400: errorResponse("Invalid request, a limit exceeded, or the provider refused the input (upstream_rejected)"),
  404: errorResponse("Unknown model, or a model whose provider is not configured (model_not_configured names the variables)"),
  413: errorResponse("Body too large (MAX_BODY_BYTES)"),
  415: errorResponse("Body is not application/json"),
  429: errorResponse(
    "Rate limited, here or upstream, or the subject's budget spent (budget_exceeded, until the period's reset)",
    retryAfter,
  ),
  500: errorResponse("gateway_misconfigured: a setting is invalid (the message names it, never its value)"),
  502: errorResponse(
    "Upstream failure: unreachable, 5xx, bad or non-finite answer, credentials rejected (upstream_auth_failed), wrong path (upstream_not_found)",
  ),
  503: errorResponse(
    "upstream_unavailable: the model's routes are failing and skipped for a cool-down; budget_unavailable: the budget state cannot be read",
    retryAfter,
  ),
  504: errorResponse("Upstream timeout, or the request's upstream deadline (UPSTREAM_DEADLINE_MS) passed"),
} as const;

/**
 * `Cache-Control` as a request header, documented as a plain OpenAPI parameter (a `request.headers`
 * schema would add a validator to every request for a header the route reads itself).
 */
export const CACHE_CONTROL_PARAMETER = {
  in: "header" as const,
  name: "Cache-Control",
  required: false,
  description:
    "`no-cache` skips the cache reads (memory and store), for server keys only (from a token or in open mode it is ignored and X-Cache-Directive-Ignored says so); `no-store` keeps the answer out of every tier",
  schema: { type: "string" as const, example: "no-cache" },
};

const header = (description: string, example: string) => ({ description, schema: { type: "string" as const, example } });

/** The headers the embeddings and rerank routes answer with, for the OpenAPI document. */
export const ITEM_ROUTE_HEADERS = {
  "X-Cache": header("HIT when every distinct input was cached, MISS when none was, else PARTIAL", "PARTIAL"),
  "X-Cache-Hits": header("Distinct inputs answered from the cache (memory or store)", "2"),
  "X-Cache-Misses": header("Distinct inputs sent upstream", "1"),
  "X-Cache-Breakdown": header("Hits by tier", "memory=1, store=1"),
  "X-Provider": header("The provider(s) that answered the misses; absent on a full hit", "workers-ai"),
  "Server-Timing": header("store-read, upstream and encode timings, with key and call counts", 'store-read;dur=1.2;desc="3 keys"'),
  "X-Cache-Directive-Ignored": header("A request Cache-Control directive not followed: no-cache from a token or in open mode", "no-cache"),
  "X-Request-Id": header("This request's id, also in every log line", "6f1c..."),
  "X-Budget-Remaining": header(
    "What the tightest budget rule governing the subject has left after this request's reservation, in its unit",
    "1200; unit=tokens; period=day",
  ),
};

/** `input[3]`, `documents[0].text`: the param name Together-style clients show. */
function paramName(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>(
    (name, part) => (typeof part === "number" ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    "",
  );
}

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got furthest names the real culprit. */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const candidates = issue.errors
    .map((branch) => branch[0])
    .filter(Boolean)
    .map(deepestIssue);
  const best = candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return best.path.length === 0 ? issue : { ...best, path: [...issue.path, ...best.path] };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
}

/** Turns the first schema violation into a 400 naming the offending param. */
export function validationError(error: z.ZodError, input: unknown): ApiError {
  const issue = deepestIssue(error.issues[0]);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new ApiError(400, "unknown_parameter", `Unknown parameter: '${key}'.`, { param: key });
  }
  const param = paramName(issue.path);
  const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid '${param ?? "body"}': ${issue.message}.`;
  return new ApiError(400, missing ? "missing_parameter" : "invalid_parameter", message, { param });
}

/** The OpenAPIHono `defaultHook`: every failed validation becomes our 400. */
export function rejectInvalid(result: { success: boolean; error?: z.ZodError; data?: unknown }): void {
  if (!result.success) throw validationError(result.error!, result.data);
}

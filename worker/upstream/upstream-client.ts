import { ApiError } from "../errors";
import type { GatewayConfig } from "../config";
import { backoffMs, MAX_RETRY_WAIT_MS, RETRYABLE_STATUSES, retryAfterMs } from "./retry-policy";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface UpstreamContext {
  config: GatewayConfig;
  requestId: string;
}

/**
 * POSTs JSON to the upstream and returns its parsed JSON body. Retries 429/502/503/504 and network
 * errors with jittered backoff (honouring retry-after), times out each attempt, and turns every
 * failure into an ApiError that never echoes the upstream body or the key.
 */
export async function postUpstream(ctx: UpstreamContext, path: string, body: unknown): Promise<unknown> {
  const { config } = ctx;
  const url = config.baseURL + path;
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    const lastAttempt = attempt >= config.upstreamRetries;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${config.apiKey}`, "content-type": "application/json", accept: "application/json" },
        body: payload,
        signal: AbortSignal.timeout(config.upstreamTimeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error)?.name === "TimeoutError";
      log(ctx, { message: timedOut ? "upstream timeout" : "upstream network error", attempt, path });
      // A timed-out attempt already used the whole budget; retrying would multiply the client's wait.
      if (timedOut) throw new ApiError(504, "upstream_timeout", `The upstream did not answer within ${config.upstreamTimeoutMs} ms.`);
      if (lastAttempt) throw new ApiError(502, "upstream_unreachable", "The upstream could not be reached.");
      await sleep(backoffMs(attempt));
      continue;
    }

    if (response.ok) return readJson(response);

    const wait = retryAfterMs(response.headers);
    const retryable = RETRYABLE_STATUSES.has(response.status) && (wait === undefined || wait <= MAX_RETRY_WAIT_MS);
    log(ctx, { message: "upstream error status", status: response.status, attempt, path });
    if (retryable && !lastAttempt) {
      await response.body?.cancel();
      await sleep(wait ?? backoffMs(attempt));
      continue;
    }
    await response.body?.cancel();
    throw statusError(response.status, wait);
  }
}

function statusError(status: number, waitMs: number | undefined): ApiError {
  if (status === 401 || status === 403) {
    return new ApiError(502, "upstream_auth_failed", "The upstream rejected the gateway's credentials: check the TOGETHER_API_KEY secret.");
  }
  if (status === 429) {
    const seconds = String(Math.max(1, Math.ceil((waitMs ?? 1000) / 1000)));
    return new ApiError(429, "upstream_rate_limited", "The upstream is rate limiting this gateway; retry later.", {
      headers: { "retry-after": seconds },
    });
  }
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return new ApiError(502, "upstream_rejected", `The upstream refused the request (HTTP ${status}); the input may exceed the model's context length or the model may not be available upstream.`);
  }
  if (status === 504) return new ApiError(504, "upstream_timeout", "The upstream timed out.");
  return new ApiError(502, "upstream_error", `The upstream failed (HTTP ${status}).`);
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(502, "upstream_bad_response", "The upstream answered with something that is not JSON.");
  }
}

function log(ctx: UpstreamContext, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: "warn", request_id: ctx.requestId, ...fields }));
}

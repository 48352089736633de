import { ApiError } from "../errors";
import { DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from "./capped-body";
import { backoffMs, MAX_RETRY_WAIT_MS, RETRYABLE_STATUSES, retryAfterMs } from "./retry-policy";
import { providerMessage } from "./upstream-message";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Who an upstream is, as messages name it: never its key, which is only compared against. */
export interface UpstreamIdentity {
  name: string;
  apiKey?: string;
  /** The variables that configure it (named in credential errors). */
  vars: readonly string[];
  /** Where its base URL is set (named when a path is wrong). */
  baseVar: string;
}
type ProviderSettings = UpstreamIdentity;

/** How one provider instance is called: who it is (for messages), its limits, and the request id for logs. */
export interface UpstreamTarget {
  provider: ProviderSettings;
  timeoutMs: number;
  retries: number;
  requestId: string;
  /** When (epoch ms) the request's upstream work must be over: attempts are cut short and not retried past it. */
  deadline?: number;
  /** Told after each attempt whether the upstream answered usefully (the circuit breaker counts failures). */
  attempted?(ok: boolean): void;
  /** About how many bytes the answer should have, when known: its body is read into one buffer that size. */
  expectedBytes?: number;
}

/** The provider's name for messages: "Workers AI (workers-ai)". */
const label = (p: ProviderSettings) => `the ${p.name} provider`;

/**
 * POSTs JSON to an upstream and returns its parsed JSON body. Retries 429/502/503/504 and network
 * errors with jittered backoff (honouring retry-after), times out each attempt, and turns every
 * failure into an ApiError that never echoes the key; a provider's own message is passed on only for
 * refusals of the input, trimmed and scrubbed of anything that looks like a credential. Redirects are
 * not followed (the user's texts would go wherever a Location header says); the answer is read up to
 * `maxBytes`.
 */
export async function postJson(
  target: UpstreamTarget,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  maxBytes = DEFAULT_MAX_RESPONSE_BYTES,
): Promise<unknown> {
  const { provider } = target;
  const payload = JSON.stringify(body);
  const path = new URL(url).pathname;
  const deadline = target.deadline ?? Number.POSITIVE_INFINITY;
  // Another attempt only when its wait still leaves time before the request's deadline.
  const timeLeftAfter = (waitMs: number) => Date.now() + waitMs < deadline;
  for (let attempt = 0; ; attempt++) {
    const lastAttempt = attempt >= target.retries;
    const left = deadline - Date.now();
    if (left <= 0) throw pastDeadline(provider);
    const timeoutMs = Math.min(target.timeoutMs, left);
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: payload,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      target.attempted?.(false);
      const timedOut = (err as Error)?.name === "TimeoutError";
      log(target, { message: timedOut ? "upstream timeout" : "upstream network error", attempt, path });
      // A timed-out attempt already used the whole budget; retrying would multiply the client's wait.
      if (timedOut)
        throw new ApiError(504, "upstream_timeout", `${cap(label(provider))} did not answer within ${timeoutMs} ms.`, {
          cause: err,
        });
      const backoff = backoffMs(attempt);
      if (lastAttempt || !timeLeftAfter(backoff))
        throw new ApiError(502, "upstream_unreachable", `${cap(label(provider))} could not be reached.`, { cause: err });
      await sleep(backoff);
      continue;
    }

    if (response.ok) {
      target.attempted?.(true);
      return readJson(response, provider, maxBytes, target.expectedBytes);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      target.attempted?.(false);
      log(target, { message: "upstream redirect not followed", status: response.status, attempt, path });
      throw new ApiError(
        502,
        "upstream_redirected",
        `${cap(label(provider))} answered with a redirect (HTTP ${response.status}), which the gateway does not follow: check ${provider.baseVar}.`,
      );
    }

    const wait = retryAfterMs(response.headers);
    const retryable = RETRYABLE_STATUSES.has(response.status) && (wait === undefined || wait <= MAX_RETRY_WAIT_MS);
    // A refusal of the request's own input says nothing against the route, and a rate limit is the
    // upstream asking for patience (its Retry-After goes back to the client), not an outage: neither counts.
    if (response.status !== 429) target.attempted?.(!(response.status >= 500 || response.status === 401 || response.status === 403));
    log(target, { message: "upstream error status", status: response.status, attempt, path });
    const pause = wait ?? backoffMs(attempt);
    if (retryable && !lastAttempt && timeLeftAfter(pause)) {
      await response.body?.cancel();
      await sleep(pause);
      continue;
    }
    throw await statusError(response, provider, wait);
  }
}

/** The request's upstream deadline passed before another attempt could start. */
const pastDeadline = (provider: ProviderSettings) =>
  new ApiError(504, "upstream_timeout", `${cap(label(provider))} did not answer within the request's deadline (UPSTREAM_DEADLINE_MS).`);

async function statusError(response: Response, provider: ProviderSettings, waitMs: number | undefined): Promise<ApiError> {
  const { status } = response;
  const who = label(provider);
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    const vars = provider.vars.length ? `check ${provider.vars.join(" and ")}` : "check its credentials";
    return new ApiError(502, "upstream_auth_failed", `${cap(who)} rejected the gateway's credentials (HTTP ${status}): ${vars}.`);
  }
  if (status === 429) {
    await response.body?.cancel();
    const seconds = String(Math.max(1, Math.ceil((waitMs ?? 1000) / 1000)));
    return new ApiError(429, "upstream_rate_limited", `${cap(who)} is rate limiting this gateway; retry later.`, {
      headers: { "retry-after": seconds },
    });
  }
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    const message = await providerMessage(response, provider.apiKey);
    // A 404 that names a model is the provider refusing the request's model; any other 404 is a wrong path.
    if (status === 404 && message && /model/i.test(message)) {
      // The provider does not have the route's model (a stopped dedicated endpoint, a retired id):
      // a 400 as the issue of the request's model, but the next route may still serve it.
      return new ApiError(400, "upstream_model_unavailable", `${cap(who)} does not serve the model (HTTP 404): ${message}`);
    }
    if (status !== 404) {
      return new ApiError(400, "upstream_rejected", `${cap(who)} refused the request (HTTP ${status})${message ? `: ${message}` : "."}`);
    }
    // The path stays in the log (written above): it holds the Workers AI account id, no business of clients.
    return new ApiError(502, "upstream_not_found", `${cap(who)} answered 404: check its base URL (${provider.baseVar}).`);
  }
  await response.body?.cancel();
  if (status === 504) return new ApiError(504, "upstream_timeout", `${cap(who)} timed out.`);
  return new ApiError(502, "upstream_error", `${cap(who)} failed (HTTP ${status}).`);
}

async function readJson(response: Response, provider: ProviderSettings, maxBytes: number, expectedBytes?: number): Promise<unknown> {
  let text: string | undefined;
  try {
    text = await readCappedText(response, maxBytes, expectedBytes);
  } catch (err) {
    // The upstream died after its headers: no answer, and not the request's fault.
    throw new ApiError(502, "upstream_unreachable", `${cap(label(provider))} broke off its answer.`, { cause: err });
  }
  if (text === undefined) {
    throw new ApiError(502, "upstream_response_too_large", `${cap(label(provider))} answered with more than ${maxBytes} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(502, "upstream_bad_response", `${cap(label(provider))} answered with something that is not JSON.`, { cause: err });
  }
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

function log(target: UpstreamTarget, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: "warn", request_id: target.requestId, provider: target.provider.name, ...fields }));
}

import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { GatewayConfig } from "../config";
import { ApiError } from "../errors";

const tooLarge = (maxSize: number) =>
  new ApiError(413, "body_too_large", `The request body exceeds this gateway's limit of ${maxSize} bytes (MAX_BODY_BYTES).`);

const limiters = new WeakMap<GatewayConfig, MiddlewareHandler>();

/** Hono's bodyLimit with MAX_BODY_BYTES: stops a streamed body as soon as it passes the limit. */
function streamedLimit(config: GatewayConfig): MiddlewareHandler {
  let limiter = limiters.get(config);
  if (!limiter) {
    const maxSize = config.limits.maxBodyBytes;
    limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw tooLarge(maxSize);
      },
    });
    limiters.set(config, limiter);
  }
  return limiter;
}

/**
 * The body-size check as the last step before the route: a declared Content-Length is compared at
 * once, before anything is read (the common case, and the cheap one); a body of unknown length
 * (chunked) goes through Hono's bodyLimit, which counts it as it arrives.
 */
export function limitBody(config: GatewayConfig, headers: { header(name: string): string | undefined }): MiddlewareHandler | undefined {
  const length = headers.header("content-length");
  if (length === undefined || headers.header("transfer-encoding") !== undefined) return streamedLimit(config);
  if (Number.parseInt(length, 10) > config.limits.maxBodyBytes) throw tooLarge(config.limits.maxBodyBytes);
  return undefined;
}

import type { MiddlewareHandler } from "hono";
import { bodyTooLarge } from "../errors";

/**
 * The body-size check as the last step before the route: a declared Content-Length is compared at
 * once, before anything is read (the common case, and the cheap one); a body of unknown length
 * (chunked) goes through Hono's bodyLimit (`streamed`), which counts it as it arrives.
 */
export function limitBody(
  maxBodyBytes: number,
  streamed: MiddlewareHandler,
  headers: { header(name: string): string | undefined },
): MiddlewareHandler | undefined {
  const length = headers.header("content-length");
  if (length === undefined || headers.header("transfer-encoding") !== undefined) return streamed;
  if (Number.parseInt(length, 10) > maxBodyBytes) throw bodyTooLarge(maxBodyBytes);
  return undefined;
}

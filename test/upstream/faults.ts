// Injectable upstream faults: queued per tenant with `POST /t/<tenant>/_fault`, consumed by the next
// request that reaches a model (whatever its wire format), and how a broken number is written.
import { float32Base64 } from "./deterministic.ts";

/**
 * How the `non-finite` fault breaks one number. JSON has no NaN, so a broken upstream writes
 * either `null` (what JavaScript's JSON.stringify makes of NaN and Infinity: the body still parses)
 * or a bare `NaN` / `Infinity` / `-Infinity` token (what Python's json.dumps writes by default:
 * the body no longer parses as JSON). Base64 vectors carry the float32 bits instead (NaN for `null`).
 */
export type NonFiniteValue = "null" | "NaN" | "Infinity" | "-Infinity";

export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "timeout" }
  | { kind: "reset" }
  | { kind: "malformed" }
  | { kind: "html" }
  /** Embedding answers come back one component short (rerank answers are unaffected). */
  | { kind: "wrong-dimensions" }
  | { kind: "delay"; ms: number }
  /** A redirect (307 unless `status` says otherwise) to `location`, as a moved or hijacked base URL answers. */
  | { kind: "redirect"; location: string; status?: number }
  /** The real answer followed by `padBytes` spaces (still valid JSON); `chunked` sends no Content-Length. */
  | { kind: "oversized"; padBytes: number; chunked?: boolean }
  /** Breaks the first vector's first component, or the best rerank result's score. Default `null`. */
  | { kind: "non-finite"; value?: NonFiniteValue };

export type QueuedFault = Fault & { times: number };

const NON_FINITE_VALUES: readonly NonFiniteValue[] = ["null", "NaN", "Infinity", "-Infinity"];

/** Parses a `_fault` body; undefined when it is not one of the kinds above. */
export function parseFault(raw: string): QueuedFault | undefined {
  let fault: QueuedFault;
  try {
    fault = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const kinds = ["status", "timeout", "reset", "malformed", "html", "wrong-dimensions", "delay", "non-finite", "redirect", "oversized"];
  if (!fault || !kinds.includes(fault.kind)) return undefined;
  if (fault.kind === "non-finite" && fault.value !== undefined && !NON_FINITE_VALUES.includes(fault.value)) return undefined;
  return { ...fault, times: fault.times ?? 1 };
}

/** The fault the next request suffers, if any, counting down its `times`. */
export function takeFault(queue: QueuedFault[]): Fault | undefined {
  const fault = queue[0];
  if (!fault) return undefined;
  if (--fault.times <= 0) queue.shift();
  return fault;
}

// A string no real answer contains; `serialize` swaps it, quotes included, for the broken token.
const MARK = "__stand_in_non_finite__";

/** A vector as JSON floats or base64; with `broken`, its first component is non-finite. */
export function vectorJson(v: Float32Array, base64: boolean, broken?: NonFiniteValue): Array<number | string> | string {
  if (!broken) return base64 ? float32Base64(v) : Array.from(v);
  if (base64) {
    const copy = Float32Array.from(v);
    copy[0] = broken === "Infinity" ? Infinity : broken === "-Infinity" ? -Infinity : NaN;
    return float32Base64(copy);
  }
  return [MARK, ...Array.from(v.subarray(1))];
}

/** A score, or with `broken` the mark that `serialize` turns into the non-finite token. */
export const scoreJson = (score: number, broken?: NonFiniteValue): number | string => (broken ? MARK : score);

/** JSON text of `body`, with a non-finite token where `vectorJson`/`scoreJson` left the mark. */
export function serialize(body: unknown, broken?: NonFiniteValue): string {
  const text = JSON.stringify(body);
  return broken ? text.replace(`"${MARK}"`, broken) : text;
}

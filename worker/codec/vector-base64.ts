// Vectors travel as base64 of little-endian float32 bytes (OpenAI's `encoding_format: "base64"`).
// workerd has the native Uint8Array base64 methods, 15-30x faster than btoa loops.

import type { RawVector } from "../common/raw-vector";
import { ApiError } from "../errors";

declare global {
  interface Uint8Array {
    toBase64(): string;
  }
  interface Uint8ArrayConstructor {
    fromBase64(base64: string): Uint8Array;
  }
  interface Uint8Array {
    setFromBase64(
      base64: string,
      options?: { lastChunkHandling?: "loose" | "strict" | "stop-before-partial" },
    ): { read: number; written: number };
  }
}

/**
 * One scratch buffer for checking vectors: decoding into it allocates nothing, so checking a batch of
 * 3072-dimension vectors makes no garbage (a fresh 12 KB buffer and a 16 KB re-encoded string each
 * used to, ~28 KB a vector, which a 2048-input miss piled up faster than the isolate collected it).
 * Only ever used synchronously, so one per isolate is enough.
 */
let scratch = new Uint8Array(4 * 1024);

/**
 * The float32 values of `base64` when it is exactly the canonical base64 of `dimensions` of them, else
 * undefined. Canonical means what encoding its bytes gives: the standard alphabet, `=` padding, zero
 * pad bits, nothing else. Strict decoding refuses missing padding and stray pad bits; it skips ASCII
 * white space, but a text of exactly the canonical length that decodes to exactly `dimensions` values
 * has no room for any. The view is into the scratch buffer: read it before the next call.
 */
function canonicalFloats(base64: string, dimensions: number): Float32Array | undefined {
  const bytes = dimensions * 4;
  if (base64.length !== base64LengthFor(dimensions)) return undefined;
  if (scratch.length < bytes) scratch = new Uint8Array(bytes);
  const into = scratch.subarray(0, bytes);
  try {
    const { read, written } = into.setFromBase64(base64, { lastChunkHandling: "strict" });
    if (read !== base64.length || written !== bytes) return undefined;
  } catch {
    return undefined;
  }
  return new Float32Array(into.buffer, 0, dimensions);
}

/** The base64 length of a `dimensions`-long float32 vector. */
export function base64LengthFor(dimensions: number): number {
  return Math.ceil((dimensions * 4) / 3) * 4;
}

/** Decodes to a Float32Array, or undefined when the text is not base64 of whole float32 values. */
export function base64ToFloats(base64: string): Float32Array | undefined {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(base64);
  } catch {
    return undefined;
  }
  if (bytes.byteLength % 4 !== 0) return undefined;
  // fromBase64 returns a fresh buffer at offset 0, so the Float32Array view is aligned.
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/**
 * Whether every float32 is finite, read as bits: all-ones exponent bits mean NaN or an infinity.
 * Integer tests on a Uint32Array view are several times faster than float comparisons here.
 */
function allFinite(floats: Float32Array): boolean {
  const bits = new Uint32Array(floats.buffer, floats.byteOffset, floats.length);
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i] & 0x7f800000) === 0x7f800000) return false;
  }
  return true;
}

/**
 * A check that a stored string is what it claims: canonical base64 (no stray `"` or `\`, which would
 * break the JSON it is spliced into) of exactly `dimensions` float32 values, all finite. The length is
 * compared first, so most damage costs nothing to find, and nothing is allocated.
 */
export function vectorValidator(dimensions: number): (base64: string) => boolean {
  return (base64) => {
    const floats = canonicalFloats(base64, dimensions);
    return floats !== undefined && allFinite(floats);
  };
}

/**
 * A stored (canonical) vector's values without allocating: a view into the scratch buffer, valid only
 * until the next call, for reading at once (printing it as float text). Anything else is decoded anew.
 */
export function readFloats(base64: string, dimensions: number): Float32Array {
  return canonicalFloats(base64, dimensions) ?? base64ToFloats(base64)!;
}

export function floatsToBase64(floats: Float32Array): string {
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength).toBase64();
}

function dimensionMismatch(got: number, dimensions: number, provider: string, model: string): ApiError {
  return new ApiError(
    502,
    "upstream_dimension_mismatch",
    `The ${provider} provider returned ${got}-dimensional vectors for ${model}, but the gateway is configured for ${dimensions}: fix MODELS.`,
  );
}

/**
 * An upstream's vector (base64 or numbers) as the gateway stores it, or a 502 naming what is wrong:
 * a vector of the wrong size or with a value that is not a finite number is never cached or served.
 */
export function encodeVector(raw: RawVector, dimensions: number, provider: string, model: string): string {
  let floats: Float32Array | undefined;
  if (typeof raw === "string") {
    // The usual answer, canonical already, is kept as the very string the upstream's JSON gave.
    const canonical = canonicalFloats(raw, dimensions);
    if (canonical && allFinite(canonical)) return raw;
    floats = base64ToFloats(raw);
  } else if (raw && typeof raw === "object" && typeof (raw as ArrayLike<number>).length === "number") {
    const values = raw as ArrayLike<unknown>;
    // Checked before allocating: an upstream's `{"length": 2000000000}` is an object with a length too.
    if (values.length !== dimensions) throw dimensionMismatch(values.length, dimensions, provider, model);
    floats = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      // Float32Array would turn null into 0 and "1" into 1: only real numbers count.
      floats[i] = typeof v === "number" ? v : Number.NaN;
    }
  }
  if (!floats)
    throw new ApiError(
      502,
      "upstream_bad_response",
      `The ${provider} provider answered with an embedding that is neither floats nor base64.`,
    );
  if (floats.length !== dimensions) throw dimensionMismatch(floats.length, dimensions, provider, model);
  if (!allFinite(floats))
    throw new ApiError(
      502,
      "upstream_bad_response",
      `The ${provider} provider answered with an embedding value that is not a finite number.`,
    );
  // Re-encoded, so what is stored is canonical base64 whatever the upstream's spelling was.
  return floatsToBase64(floats);
}

/**
 * A matryoshka vector shortened to `dimensions`: the leading values, re-normalised to unit length
 * (how OpenAI documents shortening), so one cached full vector serves every size.
 */
export function shortenVector(base64: string, dimensions: number): Float32Array {
  const full = base64ToFloats(base64)!;
  const short = full.slice(0, dimensions);
  let norm = 0;
  for (let i = 0; i < short.length; i++) norm += short[i] * short[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < short.length; i++) short[i] /= norm;
  return short;
}

// Vectors travel as base64 of little-endian float32 bytes (OpenAI's `encoding_format: "base64"`).
// workerd has the native Uint8Array base64 methods, 15-30x faster than btoa loops.
declare global {
  interface Uint8Array {
    toBase64(): string;
  }
  interface Uint8ArrayConstructor {
    fromBase64(base64: string): Uint8Array;
  }
}

/** The base64 length of a `dimensions`-long float32 vector. */
export function base64LengthFor(dimensions: number): number {
  return Math.ceil((dimensions * 4) / 3) * 4;
}

/**
 * A check that a stored string is a `dimensions`-long vector without decoding it (the cache-hit
 * path must stay far under 1 ms for 100 vectors): exact length and exact padding.
 */
export function vectorShapeCheck(dimensions: number): (base64: string) => boolean {
  const length = base64LengthFor(dimensions);
  const padding = "=".repeat((3 - ((dimensions * 4) % 3)) % 3);
  return (base64) => base64.length === length && base64.endsWith(padding) && base64.charCodeAt(length - padding.length - 1) !== 61;
}

export function floatsToBase64(values: ArrayLike<number>): string {
  const floats = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength).toBase64();
}

/** Decodes to a Float32Array, or undefined when the text is not whole float32 values. */
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

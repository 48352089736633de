// Vector helpers for the page: decoding the gateway's base64 and ranking by cosine similarity.

/** Little-endian float32 base64 (what the gateway sends) to a Float32Array; throws a RangeError when the bytes are not whole floats. */
export function decodeVector(base64: string): Float32Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  const bytes = fromBase64 ? fromBase64(base64) : Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer); // both decoders return a fresh, exactly sized buffer;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** The `k` vectors most similar to `query`, best first. */
export const topK = (query: ArrayLike<number>, vectors: ArrayLike<number>[], k: number) =>
  vectors
    .map((v, index) => ({ index, score: cosine(query, v) }))
    .sort((x, y) => y.score - x.score)
    .slice(0, k);

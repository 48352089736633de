// The scan loops: the hot path of a query, written for V8's JIT (typed arrays, no calls, four
// accumulators so the additions do not wait on each other).

/** Dot products of `query` with `count` float32 vectors laid end to end. */
export function dotsF32(vectors: Float32Array, count: number, dims: number, query: Float32Array, out: Float64Array): void {
  const tail = dims - (dims % 4);
  for (let i = 0, base = 0; i < count; i++, base += dims) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < tail; j += 4) {
      s0 += vectors[base + j] * query[j];
      s1 += vectors[base + j + 1] * query[j + 1];
      s2 += vectors[base + j + 2] * query[j + 2];
      s3 += vectors[base + j + 3] * query[j + 3];
    }
    for (; j < dims; j++) s0 += vectors[base + j] * query[j];
    out[i] = s0 + s1 + s2 + s3;
  }
}

/** Squared euclidean distances of `query` to `count` float32 vectors laid end to end. */
export function squaredDistancesF32(vectors: Float32Array, count: number, dims: number, query: Float32Array, out: Float64Array): void {
  for (let i = 0, base = 0; i < count; i++, base += dims) {
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const d = vectors[base + j] - query[j];
      s += d * d;
    }
    out[i] = s;
  }
}

/**
 * Approximate dot products against int8 codes: integer products of the codes with the query's own
 * int8 codes (exact in int32: 127 x 127 x 4096 < 2^31), times both scales.
 */
export function dotsI8(
  codes: Int8Array,
  scales: Float32Array,
  count: number,
  dims: number,
  query: Int8Array,
  queryScale: number,
  out: Float64Array,
): void {
  const tail = dims - (dims % 4);
  for (let i = 0, base = 0; i < count; i++, base += dims) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < tail; j += 4) {
      s0 = (s0 + codes[base + j] * query[j]) | 0;
      s1 = (s1 + codes[base + j + 1] * query[j + 1]) | 0;
      s2 = (s2 + codes[base + j + 2] * query[j + 2]) | 0;
      s3 = (s3 + codes[base + j + 3] * query[j + 3]) | 0;
    }
    for (; j < dims; j++) s0 = (s0 + codes[base + j] * query[j]) | 0;
    out[i] = (s0 + s1 + s2 + s3) * scales[i] * queryScale;
  }
}

/** Symmetric int8 codes of `vector` into `codes` at `offset`; returns the scale (value = code x scale). */
export function quantize(vector: Float32Array, codes: Int8Array, offset: number): number {
  let max = 0;
  for (let j = 0; j < vector.length; j++) max = Math.max(max, Math.abs(vector[j]));
  const scale = max > 0 ? max / 127 : 1;
  for (let j = 0; j < vector.length; j++) codes[offset + j] = Math.round(vector[j] / scale);
  return scale;
}

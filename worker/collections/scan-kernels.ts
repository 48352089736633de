// The scan loops: the hot path of a query, written for V8's JIT (typed arrays, no calls, four
// accumulators so the additions do not wait on each other).

/**
 * Dot products of `query` with `count` float32 vectors laid end to end. Four vectors at a time: each
 * query value is loaded once for four products, and the four sums do not wait on each other (about
 * 1.5x the speed of one vector at a time in V8, measured in bench/collections.ts's shapes).
 */
export function dotsF32(vectors: Float32Array, count: number, dims: number, query: Float32Array, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const b0 = i * dims;
    const b1 = b0 + dims;
    const b2 = b1 + dims;
    const b3 = b2 + dims;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < dims; j++) {
      const x = query[j];
      s0 += vectors[b0 + j] * x;
      s1 += vectors[b1 + j] * x;
      s2 += vectors[b2 + j] * x;
      s3 += vectors[b3 + j] * x;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < count; i++) {
    const base = i * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) s += vectors[base + j] * query[j];
    out[i] = s;
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
 * int8 codes (exact in int32: 127 x 127 x 4096 < 2^31), times both scales. Four vectors at a time,
 * as in dotsF32.
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
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const b0 = i * dims;
    const b1 = b0 + dims;
    const b2 = b1 + dims;
    const b3 = b2 + dims;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < dims; j++) {
      const x = query[j];
      s0 = (s0 + codes[b0 + j] * x) | 0;
      s1 = (s1 + codes[b1 + j] * x) | 0;
      s2 = (s2 + codes[b2 + j] * x) | 0;
      s3 = (s3 + codes[b3 + j] * x) | 0;
    }
    out[i] = s0 * scales[i] * queryScale;
    out[i + 1] = s1 * scales[i + 1] * queryScale;
    out[i + 2] = s2 * scales[i + 2] * queryScale;
    out[i + 3] = s3 * scales[i + 3] * queryScale;
  }
  for (; i < count; i++) {
    const base = i * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) s = (s + codes[base + j] * query[j]) | 0;
    out[i] = s * scales[i] * queryScale;
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

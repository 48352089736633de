// A collection's vectors in memory: one contiguous Float32Array scanned by a tight loop. Pure: the
// Durable Object fills it from SQLite and keeps it in step with every write.
import { TopK } from "./top-k";
import type { Metric } from "./types";

/** Scales a vector to unit length in place (cosine collections store unit vectors, so cosine is a dot product). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

/** The score of `a` against `b` under `metric` (cosine expects unit vectors). */
export function score(metric: Metric, a: Float32Array, aOffset: number, b: Float32Array, dims: number): number {
  if (metric === "euclidean") {
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      const d = a[aOffset + j] - b[j];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
  let sum = 0;
  for (let j = 0; j < dims; j++) sum += a[aOffset + j] * b[j];
  return sum;
}

/** Dot products of `query` against `count` vectors laid end to end, four lanes at a time. */
function dots(vectors: Float32Array, count: number, dims: number, query: Float32Array, out: Float64Array): void {
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

/** Squared euclidean distances of `query` to `count` vectors laid end to end. */
function squaredDistances(vectors: Float32Array, count: number, dims: number, query: Float32Array, out: Float64Array): void {
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
 * Vectors by slot, with the record id of each slot. Deleting moves the last slot into the hole, so
 * the live vectors stay one contiguous prefix of the buffer.
 */
export class VectorIndex {
  ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private data: Float32Array;
  private scratch = new Float64Array(0);

  constructor(
    readonly dims: number,
    readonly metric: Metric,
    capacity = 64,
  ) {
    this.data = new Float32Array(capacity * dims);
  }

  get count(): number {
    return this.ids.length;
  }

  /** The bytes the index holds (buffers only). */
  get bytes(): number {
    return this.data.byteLength + this.scratch.byteLength;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  private grow(min: number): void {
    const capacity = Math.max(min, Math.ceil((this.data.length / this.dims) * 1.5));
    const data = new Float32Array(capacity * this.dims);
    data.set(this.data.subarray(0, this.count * this.dims));
    this.data = data;
  }

  /** Inserts or replaces a record's vector (already normalised for cosine). Returns its slot. */
  set(id: string, vector: Float32Array): number {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if ((slot + 1) * this.dims > this.data.length) this.grow(slot + 1);
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    this.data.set(vector, slot * this.dims);
    return slot;
  }

  /** Removes a record; returns the slot that moved into its place (from the end), if any, so callers can mirror the move. */
  delete(id: string): { removed: number; moved: number } | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const last = this.ids.length - 1;
    this.slots.delete(id);
    if (slot !== last) {
      const movedId = this.ids[last];
      this.ids[slot] = movedId;
      this.slots.set(movedId, slot);
      this.data.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
    }
    this.ids.pop();
    return { removed: slot, moved: last };
  }

  /** The vector at a slot (a view: copy it before the index changes). */
  vectorAt(slot: number): Float32Array {
    return this.data.subarray(slot * this.dims, (slot + 1) * this.dims);
  }

  /**
   * The `k` best slots for `query` (normalised already for cosine), best first, among the slots
   * `accept` lets through (all when undefined). Exact: every vector is scored.
   */
  search(query: Float32Array, k: number, accept?: (slot: number) => boolean): Array<{ position: number; score: number }> {
    const count = this.count;
    if (this.scratch.length < count) this.scratch = new Float64Array(Math.max(count, this.scratch.length * 2));
    const scores = this.scratch;
    const euclidean = this.metric === "euclidean";
    // Squared distances computed as such (not from dot products, which lose precision between near vectors).
    (euclidean ? squaredDistances : dots)(this.data, count, this.dims, query, scores);
    const top = new TopK(k, euclidean);
    for (let i = 0; i < count; i++) {
      const s = scores[i];
      if ((euclidean ? -s : s) < top.threshold) continue;
      if (accept && !accept(i)) continue;
      top.push(i, s);
    }
    const best = top.sorted();
    if (euclidean) for (const hit of best) hit.score = Math.sqrt(hit.score);
    return best;
  }
}

// A collection's vectors in memory, in one contiguous buffer scanned by a tight loop. Pure: the
// Durable Object fills it from SQLite and keeps it in step with every write.
//
// Two representations: float32 (exact) while the vectors fit FULL_PRECISION_BYTES, int8 codes with
// a scale per vector beyond (a quarter of the memory: 100,000 x 384 dims is 154 MB as float32, over
// a Durable Object's 128 MB, and 38 MB as int8). An int8 scan only picks candidates; the object
// rescores them exactly from the float32 vectors in SQLite.
import { dotsF32, dotsI8, quantize, squaredDistancesF32 } from "./scan-kernels";
import { TopK } from "./top-k";
import type { Metric } from "./types";

/**
 * Above this many bytes of float32 vectors, the index keeps int8 codes instead. 48 MB leaves room in
 * a Durable Object's 128 MB for growing the buffer (old and new live at once for a moment), the ids,
 * and the garbage of loading every row: 10,000 x 1024 (41 MB) stays exact.
 */
export const FULL_PRECISION_BYTES = 48 << 20;

/** Scales a vector to unit length in place (cosine collections store unit vectors, so cosine is a dot product). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

/** The exact score of `vector` against `query` under `metric` (cosine expects unit vectors). */
export function exactScore(metric: Metric, vector: Float32Array, query: Float32Array): number {
  let sum = 0;
  if (metric === "euclidean") {
    for (let j = 0; j < query.length; j++) sum += (vector[j] - query[j]) ** 2;
    return Math.sqrt(sum);
  }
  for (let j = 0; j < query.length; j++) sum += vector[j] * query[j];
  return sum;
}

/** How many int8 candidates are rescored exactly for a top-k: recall@10 >= 0.99 in the bench. */
export const candidatesFor = (k: number) => Math.max(10 * k, 100);

/** The `k` best of `candidates` by their exact score, best first (ties keep candidate order). */
export function rescore(
  metric: Metric,
  query: Float32Array,
  candidates: ReadonlyArray<{ id: string; vector: Float32Array }>,
  k: number,
): Array<{ id: string; score: number }> {
  const top = new TopK(k, metric === "euclidean");
  candidates.forEach((c, i) => top.push(i, exactScore(metric, c.vector, query)));
  return top.sorted().map(({ position, score }) => ({ id: candidates[position].id, score }));
}

export class VectorIndex {
  ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private data: Float32Array | undefined;
  private codes: Int8Array | undefined;
  private scales = new Float32Array(0);
  /** Squared norms by slot (int8 mode, euclidean): |q - x|^2 = |q|^2 + |x|^2 - 2 q.x. */
  private norms = new Float32Array(0);
  private scratch = new Float64Array(0);

  constructor(
    readonly dims: number,
    readonly metric: Metric,
    capacity = 64,
    private readonly fullPrecisionBytes = FULL_PRECISION_BYTES,
  ) {
    this.allocate(capacity, capacity * dims * 4 > fullPrecisionBytes);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Whether searches are approximate (int8) and need rescoring. */
  get quantized(): boolean {
    return this.codes !== undefined;
  }

  /** The bytes the index's buffers hold. */
  get bytes(): number {
    return (
      (this.data?.byteLength ?? 0) +
      (this.codes?.byteLength ?? 0) +
      this.scales.byteLength +
      this.norms.byteLength +
      this.scratch.byteLength
    );
  }

  private capacity(): number {
    return this.scales.length;
  }

  /** (Re)allocates for `capacity` vectors, copying the live ones; switches to int8 when asked. */
  private allocate(capacity: number, int8: boolean): void {
    const live = this.count * this.dims;
    const scales = new Float32Array(capacity);
    const norms = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.count));
    norms.set(this.norms.subarray(0, this.count));
    if (int8) {
      const codes = new Int8Array(capacity * this.dims);
      if (this.codes) codes.set(this.codes.subarray(0, live));
      else if (this.data) {
        for (let slot = 0; slot < this.count; slot++) {
          const v = this.data.subarray(slot * this.dims, (slot + 1) * this.dims);
          scales[slot] = quantize(v, codes, slot * this.dims);
          norms[slot] = v.reduce((s, x) => s + x * x, 0);
        }
      }
      this.codes = codes;
      this.data = undefined;
    } else {
      const data = new Float32Array(capacity * this.dims);
      if (this.data) data.set(this.data.subarray(0, live));
      this.data = data;
    }
    this.scales = scales;
    this.norms = norms;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  /** Inserts or replaces a record's vector (already normalised for cosine). Returns its slot. */
  set(id: string, vector: Float32Array): number {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot >= this.capacity()) {
        const capacity = Math.max(slot + 1, Math.ceil(this.capacity() * 1.5));
        this.allocate(capacity, this.quantized || capacity * this.dims * 4 > this.fullPrecisionBytes);
      }
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    if (this.codes) {
      this.scales[slot] = quantize(vector, this.codes, slot * this.dims);
      this.norms[slot] = vector.reduce((s, x) => s + x * x, 0);
    } else this.data!.set(vector, slot * this.dims);
    return slot;
  }

  /** Removes a record: the last slot moves into its place (callers mirror the move). */
  delete(id: string): { removed: number; moved: number } | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const last = this.ids.length - 1;
    this.slots.delete(id);
    if (slot !== last) {
      const movedId = this.ids[last];
      this.ids[slot] = movedId;
      this.slots.set(movedId, slot);
      const buffer = this.codes ?? this.data!;
      buffer.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
      this.scales[slot] = this.scales[last];
      this.norms[slot] = this.norms[last];
    }
    this.ids.pop();
    return { removed: slot, moved: last };
  }

  /**
   * The `k` best slots for `query` (normalised already for cosine), best first, among the slots
   * `accept` lets through. Exact in float32 mode; in int8 mode, approximate scores to rescore.
   */
  search(query: Float32Array, k: number, accept?: (slot: number) => boolean): Array<{ position: number; score: number }> {
    const count = this.count;
    if (this.scratch.length < count) this.scratch = new Float64Array(Math.max(count, this.scratch.length * 2));
    const scores = this.scratch;
    const euclidean = this.metric === "euclidean";
    if (this.codes) {
      const q = new Int8Array(this.dims);
      const qScale = quantize(query, q, 0);
      dotsI8(this.codes, this.scales, count, this.dims, q, qScale, scores);
      if (euclidean) {
        const qq = query.reduce((s, x) => s + x * x, 0);
        for (let i = 0; i < count; i++) scores[i] = qq + this.norms[i] - 2 * scores[i];
      }
    } else if (euclidean) {
      // Squared distances computed as such: from dot products they lose precision between near vectors.
      squaredDistancesF32(this.data!, count, this.dims, query, scores);
    } else dotsF32(this.data!, count, this.dims, query, scores);
    const top = new TopK(k, euclidean);
    for (let i = 0; i < count; i++) {
      const s = scores[i];
      if ((euclidean ? -s : s) < top.threshold) continue;
      if (accept && !accept(i)) continue;
      top.push(i, s);
    }
    const best = top.sorted();
    if (euclidean) for (const hit of best) hit.score = Math.sqrt(Math.max(0, hit.score));
    return best;
  }
}

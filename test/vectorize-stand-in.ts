// A stand-in of the Vectorize binding's interface (workers-types' `Vectorize`), because the real
// binding does not run locally. Written independently of the gateway's own search and filter code:
// a plain exact search and Vectorize's documented filter semantics, with its documented limits.
// Mutations apply at once (real Vectorize applies them within seconds).

type Values = Record<string, unknown>;
interface Stored {
  id: string;
  namespace: string;
  values: number[];
  metadata?: Values;
}

export class VectorizeStandIn {
  readonly vectors = new Map<string, Stored>();
  calls = { upsert: 0, query: 0, deleteByIds: 0 };
  /** Makes the next upsert fail, as a Vectorize outage would. */
  failNextUpsert = false;

  constructor(
    readonly dimensions: number,
    readonly metric: "cosine" | "euclidean" | "dot-product" = "cosine",
  ) {}

  async describe() {
    return { vectorCount: this.vectors.size, dimensions: this.dimensions, processedUpToDatetime: Date.now(), processedUpToMutation: 0 };
  }

  private check(vectors: Array<{ id: string; values: ArrayLike<number>; namespace?: string }>) {
    if (vectors.length > 1000) throw new Error("VECTOR_UPSERT_ERROR (code = 40007): too many vectors in one batch");
    for (const v of vectors) {
      if (new TextEncoder().encode(v.id).byteLength > 64) throw new Error("VECTOR_UPSERT_ERROR: id longer than 64 bytes");
      if ((v.namespace ?? "").length > 64) throw new Error("VECTOR_UPSERT_ERROR: namespace longer than 64 bytes");
      if (v.values.length !== this.dimensions)
        throw new Error(`VECTOR_UPSERT_ERROR (code = 40012): expected ${this.dimensions} dimensions, got ${v.values.length}`);
    }
  }

  async upsert(vectors: Array<{ id: string; values: ArrayLike<number>; namespace?: string; metadata?: Values }>) {
    this.calls.upsert++;
    if (this.failNextUpsert) {
      this.failNextUpsert = false;
      throw new Error("VECTOR_UPSERT_ERROR: service unavailable");
    }
    this.check(vectors);
    for (const v of vectors)
      this.vectors.set(v.id, {
        id: v.id,
        namespace: v.namespace ?? "",
        values: Array.from(v.values),
        metadata: v.metadata && structuredClone(v.metadata),
      });
    return { mutationId: crypto.randomUUID() };
  }

  async insert(vectors: Array<{ id: string; values: ArrayLike<number>; namespace?: string; metadata?: Values }>) {
    return this.upsert(vectors.filter((v) => !this.vectors.has(v.id)));
  }

  async deleteByIds(ids: string[]) {
    this.calls.deleteByIds++;
    if (ids.length > 1000) throw new Error("VECTOR_DELETE_ERROR: too many ids");
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: crypto.randomUUID() };
  }

  async getByIds(ids: string[]) {
    return ids.flatMap((id) => {
      const v = this.vectors.get(id);
      return v ? [structuredClone(v)] : [];
    });
  }

  private score(a: number[], b: ArrayLike<number>): number {
    let dot = 0;
    let aa = 0;
    let bb = 0;
    let d2 = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
      d2 += (a[i] - b[i]) ** 2;
    }
    if (this.metric === "cosine") return dot / Math.sqrt(aa * bb);
    if (this.metric === "euclidean") return Math.sqrt(d2);
    return dot;
  }

  async query(
    vector: ArrayLike<number>,
    options: { topK?: number; namespace?: string; returnValues?: boolean; returnMetadata?: boolean | string; filter?: Values } = {},
  ) {
    this.calls.query++;
    const topK = options.topK ?? 5;
    const heavy = options.returnValues || options.returnMetadata === true || options.returnMetadata === "all";
    if (topK > (heavy ? 20 : 100)) throw new Error(`VECTOR_QUERY_ERROR (code = 40025): topK too large (${topK})`);
    if (vector.length !== this.dimensions) throw new Error("VECTOR_QUERY_ERROR: wrong dimensions");
    const matches = [...this.vectors.values()]
      .filter((v) => (options.namespace === undefined || v.namespace === options.namespace) && passes(options.filter, v.metadata))
      .map((v) => ({ id: v.id, namespace: v.namespace, score: this.score(v.values, vector), ...(heavy ? { metadata: v.metadata } : {}) }))
      .sort((a, b) => (this.metric === "euclidean" ? a.score - b.score : b.score - a.score))
      .slice(0, topK);
    return { matches, count: matches.length };
  }
}

function passes(filter: Values | undefined, metadata: Values | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([field, condition]) => {
    const have = metadata?.[field];
    const ops =
      condition !== null && typeof condition === "object" && !Array.isArray(condition) ? (condition as Values) : { $eq: condition };
    return Object.entries(ops).every(([op, want]) => compare(op, have, want));
  });
}

function compare(op: string, have: unknown, want: unknown): boolean {
  const eq = (w: unknown) => (Array.isArray(have) ? have.includes(w) : have === w);
  switch (op) {
    case "$eq":
      return have !== undefined && eq(want);
    case "$ne":
      return !eq(want);
    case "$in":
      return (want as unknown[]).some(eq);
    case "$nin":
      return !(want as unknown[]).some(eq);
  }
  if (have === undefined || Array.isArray(have) || typeof have !== typeof want || typeof have === "boolean") return false;
  const [a, b] = [have as number, want as number];
  return op === "$lt" ? a < b : op === "$lte" ? a <= b : op === "$gt" ? a > b : op === "$gte" ? a >= b : false;
}

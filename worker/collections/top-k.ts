/**
 * The k best (position, score) pairs of a stream, kept in a binary min-heap on "goodness" so each
 * push costs O(log k) and most pushes (worse than the current k-th) cost one comparison. Higher
 * scores are better unless `lowerIsBetter` (euclidean distances). Ties go to the lower position.
 */
export class TopK {
  private readonly positions: Int32Array;
  private readonly goodness: Float64Array;
  private size = 0;
  private readonly sign: number;

  constructor(
    readonly k: number,
    lowerIsBetter = false,
  ) {
    this.positions = new Int32Array(k);
    this.goodness = new Float64Array(k);
    this.sign = lowerIsBetter ? -1 : 1;
  }

  /** The worst kept goodness once full (so a scan can skip what cannot enter), else -Infinity. */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.goodness[0];
  }

  /** a is worse than b: lower goodness, or equal goodness and a later position. */
  private worse(a: number, b: number): boolean {
    const ga = this.goodness[a];
    const gb = this.goodness[b];
    return ga < gb || (ga === gb && this.positions[a] > this.positions[b]);
  }

  private swap(a: number, b: number): void {
    const p = this.positions[a];
    this.positions[a] = this.positions[b];
    this.positions[b] = p;
    const g = this.goodness[a];
    this.goodness[a] = this.goodness[b];
    this.goodness[b] = g;
  }

  push(position: number, score: number): void {
    if (this.k === 0) return;
    const g = this.sign * score;
    if (this.size < this.k) {
      let i = this.size++;
      this.positions[i] = position;
      this.goodness[i] = g;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    if (g < this.goodness[0] || (g === this.goodness[0] && position > this.positions[0])) return;
    this.positions[0] = position;
    this.goodness[0] = g;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.worse(l, m)) m = l;
      if (r < this.size && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  /** The kept pairs, best first. */
  sorted(): Array<{ position: number; score: number }> {
    const out: Array<{ position: number; score: number; g: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ position: this.positions[i], score: this.sign * this.goodness[i], g: this.goodness[i] });
    out.sort((a, b) => b.g - a.g || a.position - b.position);
    return out.map(({ position, score }) => ({ position, score }));
  }
}

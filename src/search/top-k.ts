/**
 * The k best of `rows` by score, highest first and the lower row first on a tie, by a bounded
 * min-heap: a query scores hundreds to tens of thousands of chunks and keeps a few dozen, so
 * sorting them all would cost more than the scoring. `keep` leaves rows out (a non-positive cosine).
 */
export function topRows(rows: readonly number[], scores: Float64Array, k: number, keep?: (score: number) => boolean): number[] {
  const worse = (a: number, b: number) => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  const heap: number[] = [];
  if (k <= 0) return heap;
  for (const row of rows) {
    if (keep && !keep(scores[row])) continue;
    if (heap.length < k) {
      heap.push(row);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i], heap[p])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (worse(heap[0], row)) {
      heap[0] = row;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(heap[l], heap[m])) m = l;
        if (r < heap.length && worse(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
  }
  return heap.sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * A score per row, reused from one query to the next (queries are synchronous, one at a time),
 * with the rows touched so far: clearing only those keeps a query's cost in its own postings.
 */
export class ScoreBuffer {
  readonly scores: Float64Array;
  readonly touched: number[] = [];
  private readonly seen: Uint8Array;

  constructor(size: number) {
    this.scores = new Float64Array(size);
    this.seen = new Uint8Array(size);
  }

  add(row: number, value: number): void {
    if (!this.seen[row]) {
      this.seen[row] = 1;
      this.touched.push(row);
    }
    this.scores[row] += value;
  }

  /** The k best touched rows, then the buffer cleared for the next query. */
  take(k: number, keep?: (score: number) => boolean): { index: number; score: number }[] {
    const best = topRows(this.touched, this.scores, k, keep).map((index) => ({ index, score: this.scores[index] }));
    for (const row of this.touched) {
      this.scores[row] = 0;
      this.seen[row] = 0;
    }
    this.touched.length = 0;
    return best;
  }
}

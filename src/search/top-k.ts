/**
 * The k best of `rows` by score, highest first and the lower row first on a tie, by a bounded
 * min-heap: a query scores hundreds to tens of thousands of chunks and keeps a few dozen, so
 * sorting them all would cost more than the scoring. `rows`: the rows to choose from, or a count n
 * for every row 0 … n-1. `keep` leaves rows out (a non-positive cosine).
 */
export function topRows(rows: ArrayLike<number> | number, scores: Float64Array, k: number, keep?: (score: number) => boolean): number[] {
  const heap: number[] = [];
  if (k <= 0) return heap;
  // heap[0] is the worst kept row: lowest score, and on a tie the higher row.
  const n = typeof rows === 'number' ? rows : rows.length;
  for (let r = 0; r < n; r++) {
    const row = typeof rows === 'number' ? r : rows[r];
    const s = scores[row];
    if (keep && !keep(s)) continue;
    if (heap.length < k) {
      let i = heap.length;
      heap.push(row);
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pr = heap[p];
        const ps = scores[pr];
        if (!(s < ps || (s === ps && row > pr))) break;
        heap[i] = pr;
        i = p;
      }
      heap[i] = row;
      continue;
    }
    const top = heap[0];
    const ts = scores[top];
    if (!(s > ts || (s === ts && row < top))) continue;
    // Replace the worst and sift down (the heap is full: k rows).
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      let m = l;
      const r2 = l + 1;
      if (r2 < k) {
        const a = heap[l];
        const b = heap[r2];
        if (scores[b] < scores[a] || (scores[b] === scores[a] && b > a)) m = r2;
      }
      const c = heap[m];
      const cs = scores[c];
      if (!(cs < s || (cs === s && c > row))) break;
      heap[i] = c;
      i = m;
    }
    heap[i] = row;
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

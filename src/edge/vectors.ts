import type { VectorHit, VectorSearch } from '../search/vector-index.js';

/**
 * The prebuilt vectors of the edge bundle, and an exact cosine search over them in plain
 * JavaScript (hnswlib is native and cannot run in workerd). Exact search over a few thousand to a
 * few tens of thousands of vectors is a few milliseconds, and returns what an exhaustive hnswlib
 * search would.
 *
 * File format (little-endian): "GCV1", count u32, dim u32, encoding u32, then
 *   dense  (0): count·dim f32
 *   sparse (1): offsets u32[count+1], indices u16[nnz] (padded to 4 bytes), values f32[nnz]
 *   int8   (2): scales f32[count], count·dim i8 (value ≈ i8 · scale)
 * The hashing embedder's vectors are mostly zeros, so sparse is a third to a seventh of dense with
 * the same float32 values; int8 is smaller again but changes similarities slightly.
 */
export type VectorEncoding = 'dense' | 'sparse' | 'int8';
const CODES: Record<VectorEncoding, number> = { dense: 0, sparse: 1, int8: 2 };
const MAGIC = 0x31564347; // "GCV1"

/** Sparse when under half the values are non-zero (and the dimension fits u16), else dense. */
export function chooseEncoding(vectors: Float32Array[], dim: number): VectorEncoding {
  if (dim > 65535 || !vectors.length) return 'dense';
  let nnz = 0;
  for (const v of vectors) for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  return nnz / (vectors.length * dim) < 0.5 ? 'sparse' : 'dense';
}

export function encodeVectors(vectors: Float32Array[], dim: number, encoding: VectorEncoding): Uint8Array {
  const count = vectors.length;
  const header = 16;
  let body: number;
  let nnz = 0;
  if (encoding === 'dense') body = count * dim * 4;
  else if (encoding === 'int8') body = count * 4 + count * dim;
  else {
    for (const v of vectors) for (let i = 0; i < dim; i++) if (v[i] !== 0) nnz++;
    body = (count + 1) * 4 + Math.ceil((nnz * 2) / 4) * 4 + nnz * 4;
  }
  const buf = new ArrayBuffer(header + body);
  const view = new DataView(buf);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, count, true);
  view.setUint32(8, dim, true);
  view.setUint32(12, CODES[encoding], true);
  if (encoding === 'dense') {
    const out = new Float32Array(buf, header, count * dim);
    vectors.forEach((v, i) => out.set(v.subarray(0, dim), i * dim));
  } else if (encoding === 'int8') {
    const scales = new Float32Array(buf, header, count);
    const out = new Int8Array(buf, header + count * 4, count * dim);
    vectors.forEach((v, i) => {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(v[d]));
      const scale = max / 127 || 1;
      scales[i] = scale;
      for (let d = 0; d < dim; d++) out[i * dim + d] = Math.round(v[d] / scale);
    });
  } else {
    const offsets = new Uint32Array(buf, header, count + 1);
    const idxStart = header + (count + 1) * 4;
    const indices = new Uint16Array(buf, idxStart, nnz);
    const values = new Float32Array(buf, idxStart + Math.ceil((nnz * 2) / 4) * 4, nnz);
    let at = 0;
    vectors.forEach((v, i) => {
      offsets[i] = at;
      for (let d = 0; d < dim; d++) {
        if (v[d] === 0) continue;
        indices[at] = d;
        values[at++] = v[d];
      }
    });
    offsets[count] = at;
  }
  return new Uint8Array(buf);
}

/** A fixed-size min-heap of the best k (similarity desc, then index asc). */
function topK(sims: Float64Array, k: number): VectorHit[] {
  const n = sims.length;
  k = Math.min(k, n);
  if (k <= 0) return [];
  const heap: number[] = [];
  // a is worse than b
  const worse = (a: number, b: number) => sims[a] < sims[b] || (sims[a] === sims[b] && a > b);
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < k) {
      heap.push(i);
      up(heap.length - 1);
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap
    .sort((a, b) => sims[b] - sims[a] || a - b)
    .map((index) => ({ index, similarity: sims[index] }));
}

export class FlatVectorIndex implements VectorSearch {
  private constructor(
    readonly dim: number,
    readonly size: number,
    readonly encoding: VectorEncoding,
    private readonly similarities: (q: Float64Array, out: Float64Array) => void,
  ) {}

  static decode(data: ArrayBuffer | Uint8Array): FlatVectorIndex {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    // Typed-array views need aligned offsets: copy if the bytes sit at an odd place.
    const buf = bytes.byteOffset % 4 === 0 ? bytes.buffer : bytes.slice().buffer;
    const base = bytes.byteOffset % 4 === 0 ? bytes.byteOffset : 0;
    const view = new DataView(buf, base);
    if (view.getUint32(0, true) !== MAGIC) throw new Error('not a govchat vector file (bad magic)');
    const count = view.getUint32(4, true);
    const dim = view.getUint32(8, true);
    const code = view.getUint32(12, true);
    const start = base + 16;
    if (code === CODES.dense) {
      const m = new Float32Array(buf, start, count * dim);
      return new FlatVectorIndex(dim, count, 'dense', (q, out) => {
        for (let i = 0; i < count; i++) {
          let s = 0;
          const o = i * dim;
          for (let d = 0; d < dim; d++) s += m[o + d] * q[d];
          out[i] = s;
        }
      });
    }
    if (code === CODES.int8) {
      const scales = new Float32Array(buf, start, count);
      const m = new Int8Array(buf, start + count * 4, count * dim);
      return new FlatVectorIndex(dim, count, 'int8', (q, out) => {
        for (let i = 0; i < count; i++) {
          let s = 0;
          const o = i * dim;
          for (let d = 0; d < dim; d++) s += m[o + d] * q[d];
          out[i] = s * scales[i];
        }
      });
    }
    if (code === CODES.sparse) {
      const offsets = new Uint32Array(buf, start, count + 1);
      const nnz = offsets[count];
      const idxStart = start + (count + 1) * 4;
      const indices = new Uint16Array(buf, idxStart, nnz);
      const values = new Float32Array(buf, idxStart + Math.ceil((nnz * 2) / 4) * 4, nnz);
      return new FlatVectorIndex(dim, count, 'sparse', (q, out) => {
        for (let i = 0; i < count; i++) {
          let s = 0;
          for (let j = offsets[i], e = offsets[i + 1]; j < e; j++) s += values[j] * q[indices[j]];
          out[i] = s;
        }
      });
    }
    throw new Error(`unknown vector encoding ${code}`);
  }

  search(vector: Float32Array, k: number): VectorHit[] {
    if (!this.size) return [];
    if (vector.length !== this.dim) throw new Error(`query has ${vector.length} dimensions, the index ${this.dim}`);
    // Cosine: the stored vectors are unit length; the query is normalised here.
    let norm = 0;
    for (let d = 0; d < this.dim; d++) norm += vector[d] * vector[d];
    norm = Math.sqrt(norm) || 1;
    const q = new Float64Array(this.dim);
    for (let d = 0; d < this.dim; d++) q[d] = vector[d] / norm;
    const sims = new Float64Array(this.size);
    this.similarities(q, sims);
    return topK(sims, k);
  }
}

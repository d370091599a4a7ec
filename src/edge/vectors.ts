import type { VectorHit, VectorSearch } from '../search/vector-index.js';
import { topRows } from '../search/top-k.js';
import { CODES, MAGIC, type VectorEncoding } from '../search/vector-file.js';

export { chooseEncoding, encodeVectors, type VectorEncoding } from '../search/vector-file.js';

/**
 * The prebuilt vectors of the edge bundle, and an exact cosine search over them in plain
 * JavaScript (hnswlib is native and cannot run in workerd). Exact search over a few thousand to a
 * few tens of thousands of vectors is a few milliseconds, and returns what an exhaustive hnswlib
 * search would. The file format is in src/search/vector-file.ts.
 */

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
    // Only positive similarities, as on Node (src/search/sparse-vectors.ts): the origin and the edge rank alike.
    return topRows(this.size, sims, k, (s) => s > 0).map((index) => ({ index, similarity: sims[index] }));
  }
}

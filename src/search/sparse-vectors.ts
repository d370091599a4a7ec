import { readFileSync, writeFileSync } from 'node:fs';
import { CODES, MAGIC, encodeVectors } from './vector-file.js';
import { topRows } from './top-k.js';
import type { VectorHit, VectorSearch } from './vector-index.js';

/**
 * Exact cosine search over sparse vectors (the hashing embedder's: about a third of the values
 * are non-zero), through a list per dimension of the vectors that have it. A short question has a
 * few dozen non-zero dimensions, so a search adds up a few thousand products — exact, and cheaper
 * than hnswlib's approximate walk over the graph, which on the 42 guides cost more than BM25.
 * hnswlib stays for dense vectors (an embedding model's), where no such shortcut exists.
 *
 * Persisted as the "sparse" encoding of src/search/vector-file.ts (the rows as built); the lists
 * per dimension are made from them at load.
 */
export class SparseVectorIndex implements VectorSearch {
  /** Per dimension d, the vectors having it: rowOf/valueOf[start[d] … start[d+1]). */
  private readonly start: Uint32Array;
  private readonly rowOf: Uint32Array;
  private readonly valueOf: Float32Array;
  /** One score per vector, reused by each search (searches are synchronous). */
  private readonly scores: Float64Array;

  private constructor(
    readonly dim: number,
    readonly size: number,
    private readonly offsets: Uint32Array,
    private readonly indices: Uint16Array,
    private readonly values: Float32Array,
    private readonly bytes: Uint8Array,
  ) {
    const nnz = offsets[size];
    this.start = new Uint32Array(dim + 1);
    for (let j = 0; j < nnz; j++) this.start[indices[j] + 1]++;
    for (let d = 0; d < dim; d++) this.start[d + 1] += this.start[d];
    const fill = this.start.slice(0, dim);
    this.rowOf = new Uint32Array(nnz);
    this.valueOf = new Float32Array(nnz);
    for (let i = 0; i < size; i++) {
      for (let j = offsets[i], e = offsets[i + 1]; j < e; j++) {
        const at = fill[indices[j]]++;
        this.rowOf[at] = i;
        this.valueOf[at] = values[j];
      }
    }
    this.scores = new Float64Array(size);
  }

  /** From unit vectors (the embedder normalises, as hnswlib's cosine space did). */
  static build(vectors: Float32Array[], dim: number): SparseVectorIndex {
    return SparseVectorIndex.decode(encodeVectors(vectors, dim, 'sparse'));
  }

  static decode(bytes: Uint8Array): SparseVectorIndex {
    // Typed-array views need aligned offsets: copy if the bytes sit at an odd place.
    if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new Error('not a govchat vector file (bad magic)');
    const count = view.getUint32(4, true);
    const dim = view.getUint32(8, true);
    if (view.getUint32(12, true) !== CODES.sparse) throw new Error('the vector file is not sparse');
    const start = bytes.byteOffset + 16;
    const offsets = new Uint32Array(bytes.buffer, start, count + 1);
    const nnz = offsets[count];
    const idxStart = start + (count + 1) * 4;
    const indices = new Uint16Array(bytes.buffer, idxStart, nnz);
    const values = new Float32Array(bytes.buffer, idxStart + Math.ceil((nnz * 2) / 4) * 4, nnz);
    return new SparseVectorIndex(dim, count, offsets, indices, values, bytes);
  }

  static load(path: string): SparseVectorIndex {
    return SparseVectorIndex.decode(readFileSync(path));
  }

  save(path: string): void {
    writeFileSync(path, this.bytes);
  }

  /** Vector i as stored; for the edge bundle. */
  vector(i: number): Float32Array {
    const v = new Float32Array(this.dim);
    for (let j = this.offsets[i], e = this.offsets[i + 1]; j < e; j++) v[this.indices[j]] = this.values[j];
    return v;
  }

  /** The k most similar vectors, most similar first; only those of positive similarity (a cosine of 0 or less says nothing of relatedness). */
  search(vector: Float32Array, k: number): VectorHit[] {
    if (!this.size || k <= 0) return [];
    if (vector.length !== this.dim) throw new Error(`query has ${vector.length} dimensions, the index ${this.dim}`);
    let norm = 0;
    for (let d = 0; d < this.dim; d++) norm += vector[d] * vector[d];
    norm = Math.sqrt(norm) || 1;
    // A third of the values are non-zero, so a few query dimensions already reach nearly every
    // vector: adding into one score per vector beats keeping track of which were reached.
    const { scores, start, rowOf, valueOf } = this;
    for (let d = 0; d < this.dim; d++) {
      const q = vector[d];
      if (q === 0) continue;
      const w = q / norm;
      for (let j = start[d], e = start[d + 1]; j < e; j++) scores[rowOf[j]] += valueOf[j] * w;
    }
    const hits = topRows(this.size, scores, k, (s) => s > 0).map((index) => ({ index, similarity: scores[index] }));
    scores.fill(0);
    return hits;
  }
}

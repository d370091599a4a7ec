import { createRequire } from 'node:module';
import type hnswlibTypes from 'hnswlib-node';

// Loaded on first use: the embedded embedder's vectors are searched without it (sparse-vectors.ts).
let loaded: typeof hnswlibTypes | null = null;
const hnswlib = () => (loaded ??= createRequire(import.meta.url)('hnswlib-node') as typeof hnswlibTypes);

/** Search breadth of hnswlib. On the eval, 128 ranks as 200 did (64 lost a few first places), at about half the cost. */
export const EF = 128;

export interface VectorHit {
  index: number;
  /** Cosine similarity, 1 = same direction. */
  similarity: number;
}

/**
 * Nearest neighbours by cosine similarity: what SearchIndex needs of a vector index. hnswlib on
 * Node; a pure-JavaScript exact search over the prebuilt vectors at the edge (src/edge/vectors.ts).
 */
export interface VectorSearch {
  readonly dim: number;
  readonly size: number;
  /** The k most similar vectors, most similar first. */
  search(vector: Float32Array, k: number): VectorHit[];
}

/** Approximate nearest neighbours over unit vectors (hnswlib, cosine space). */
export class VectorIndex implements VectorSearch {
  private constructor(
    private readonly index: hnswlibTypes.HierarchicalNSW,
    readonly dim: number,
    readonly size: number,
  ) {}

  static build(vectors: Float32Array[], dim: number): VectorIndex {
    const index = new (hnswlib().HierarchicalNSW)('cosine', dim);
    index.initIndex(Math.max(1, vectors.length), 16, 200, 42);
    vectors.forEach((v, i) => index.addPoint(Array.from(v), i));
    index.setEf(Math.min(EF, Math.max(50, vectors.length)));
    return new VectorIndex(index, dim, vectors.length);
  }

  static load(path: string, dim: number, size: number): VectorIndex {
    const index = new (hnswlib().HierarchicalNSW)('cosine', dim);
    index.readIndexSync(path);
    index.setEf(Math.min(EF, Math.max(50, size)));
    return new VectorIndex(index, dim, size);
  }

  /** The stored vector of item i (hnswlib keeps cosine-space vectors normalised); for the edge bundle. */
  vector(i: number): Float32Array {
    return Float32Array.from(this.index.getPoint(i));
  }

  save(path: string): void {
    this.index.writeIndexSync(path);
  }

  search(vector: Float32Array, k: number): VectorHit[] {
    if (!this.size) return [];
    const r = this.index.searchKnn(Array.from(vector), Math.min(k, this.size));
    return r.neighbors.map((index, i) => ({ index, similarity: 1 - r.distances[i] })).sort((a, b) => b.similarity - a.similarity);
  }
}

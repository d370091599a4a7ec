/** Vectors for the vector-index tests: deterministic pseudo-random unit vectors and the exact answer by brute force. */
import { normalize } from '../../src/search/embedder.js';

/** A deterministic pseudo-random unit vector, sparse when `density` < 1. */
export function vector(seed: number, dim: number, density = 1): Float32Array {
  let s = seed * 2654435761;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) if (rnd() < density) v[i] = rnd() * 2 - 1;
  return normalize(v);
}

/** The k most similar of `vectors` with a positive cosine, most similar first (lower index on a tie). */
export function bruteForce(vectors: Float32Array[], q: Float32Array, k: number) {
  const qn = normalize(Float32Array.from(q));
  return vectors
    .map((v, index) => ({ index, similarity: v.reduce((s, x, d) => s + x * qn[d], 0) }))
    .filter((h) => h.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity || a.index - b.index)
    .slice(0, k);
}

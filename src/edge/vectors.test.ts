import { describe, expect, it } from 'vitest';
import { sharedLibrary } from '../../test/support/library.js';
import { bruteForce, vector } from '../../test/support/vectors.js';
import { readJsonl, type Question } from '../../test/eval/harness.js';
import { SparseVectorIndex } from '../search/sparse-vectors.js';
import { FlatVectorIndex, chooseEncoding, encodeVectors } from './vectors.js';

describe('edge vector index (exact cosine over the prebuilt vectors)', () => {
  const dim = 64;
  const dense = Array.from({ length: 300 }, (_, i) => vector(i + 1, dim));
  const sparse = Array.from({ length: 300 }, (_, i) => vector(i + 1000, dim, 0.15));

  it('chooses sparse storage for mostly-zero vectors and dense otherwise', () => {
    expect(chooseEncoding(dense, dim)).toBe('dense');
    expect(chooseEncoding(sparse, dim)).toBe('sparse');
    expect(encodeVectors(sparse, dim, 'sparse').byteLength).toBeLessThan(encodeVectors(sparse, dim, 'dense').byteLength / 2);
  });

  it.each(['dense', 'sparse'] as const)('%s: returns exactly the brute-force top k, most similar first', (encoding) => {
    const vectors = encoding === 'dense' ? dense : sparse;
    const index = FlatVectorIndex.decode(encodeVectors(vectors, dim, encoding));
    expect(index.size).toBe(300);
    expect(index.encoding).toBe(encoding);
    for (let q = 0; q < 20; q++) {
      const query = vector(5000 + q, dim);
      const got = index.search(query, 25);
      const want = bruteForce(vectors, query, 25);
      expect(got.map((h) => h.index)).toEqual(want.map((h) => h.index));
      got.forEach((h, i) => expect(h.similarity).toBeCloseTo(want[i].similarity, 6));
    }
  });

  it('int8: similarities within 0.01 of float32', () => {
    const index = FlatVectorIndex.decode(encodeVectors(dense, dim, 'int8'));
    const exact = FlatVectorIndex.decode(encodeVectors(dense, dim, 'dense'));
    const q = vector(42, dim);
    const a = exact.search(q, 300);
    const b = new Map(index.search(q, 300).map((h) => [h.index, h.similarity]));
    for (const h of a) expect(Math.abs(h.similarity - b.get(h.index)!)).toBeLessThan(0.01);
  });

  it('handles k beyond the size, an empty index, and a query of the wrong dimension', () => {
    const index = FlatVectorIndex.decode(encodeVectors(dense.slice(0, 3), dim, 'dense'));
    expect(index.search(dense[0], 10)).toEqual(bruteForce(dense.slice(0, 3), dense[0], 10).map((h) => ({ index: h.index, similarity: expect.closeTo(h.similarity, 6) })));
    expect(index.search(dense[0], 10)[0].index).toBe(0);
    expect(FlatVectorIndex.decode(encodeVectors([], dim, 'dense')).search(vector(1, dim), 5)).toEqual([]);
    expect(() => index.search(new Float32Array(dim + 1), 2)).toThrow(/dimensions/);
    expect(() => FlatVectorIndex.decode(new Uint8Array(32))).toThrow(/magic/);
  });

  it('on the real index, ranks exactly as the origin does, for every eval question', async () => {
    const library = await sharedLibrary();
    const idx = library.current;
    const origin = idx.vectors as SparseVectorIndex;
    expect(origin).toBeInstanceOf(SparseVectorIndex);
    const stored = Array.from({ length: origin.size }, (_, i) => origin.vector(i));
    const flat = FlatVectorIndex.decode(encodeVectors(stored, origin.dim, chooseEncoding(stored, origin.dim)));
    const questions = readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q);
    for (const q of questions) {
      const v = await idx.embedQuery(q);
      expect(flat.search(v, 60)).toEqual(origin.search(v, 60));
    }
  });
});

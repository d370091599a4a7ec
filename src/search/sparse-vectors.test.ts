import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, type Question } from '../../test/eval/harness.js';
import { sharedLibrary } from '../../test/support/library.js';
import { bruteForce, vector } from '../../test/support/vectors.js';
import { SparseVectorIndex } from './sparse-vectors.js';
import { VectorIndex } from './vector-index.js';

describe('sparse exact vector index', () => {
  const dim = 128;
  const vectors = Array.from({ length: 500 }, (_, i) => vector(i + 1, dim, 0.2));

  it('returns exactly the brute-force top k of positive similarity, most similar first', () => {
    const index = SparseVectorIndex.build(vectors, dim);
    expect(index.size).toBe(500);
    for (let q = 0; q < 30; q++) {
      // Queries as sparse as a short question's, and some denser.
      const query = vector(9000 + q, dim, q % 2 ? 0.05 : 0.3);
      const got = index.search(query, 40);
      const want = bruteForce(vectors, query, 40);
      expect(got.map((h) => h.index)).toEqual(want.map((h) => h.index));
      got.forEach((h, i) => expect(h.similarity).toBeCloseTo(want[i].similarity, 6));
      // The reused buffers are clean: the same search again gives the same answer.
      expect(index.search(query, 40)).toEqual(got);
    }
  });

  it('is never worse than hnswlib at any rank on the same vectors', () => {
    const exact = SparseVectorIndex.build(vectors, dim);
    const hnsw = VectorIndex.build(vectors, dim);
    for (let q = 0; q < 30; q++) {
      const query = vector(7000 + q, dim, 0.1);
      const a = hnsw.search(query, 20).filter((h) => h.similarity > 0);
      const b = exact.search(query, 20);
      a.forEach((h, i) => expect(b[i].similarity).toBeGreaterThanOrEqual(h.similarity - 1e-5));
    }
  });

  it('saves and loads the same vectors and answers alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'govchat-sparse-'));
    try {
      const index = SparseVectorIndex.build(vectors, dim);
      index.save(join(dir, 'vectors.bin'));
      const loaded = SparseVectorIndex.load(join(dir, 'vectors.bin'));
      expect(loaded.dim).toBe(dim);
      for (const i of [0, 17, 499]) expect(Array.from(loaded.vector(i))).toEqual(Array.from(vectors[i]));
      const q = vector(1234, dim, 0.1);
      expect(loaded.search(q, 10)).toEqual(index.search(q, 10));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('handles an empty index, k of 0, a zero query and a query of the wrong dimension', () => {
    expect(SparseVectorIndex.build([], dim).search(vector(1, dim, 0.2), 5)).toEqual([]);
    const index = SparseVectorIndex.build(vectors.slice(0, 3), dim);
    expect(index.search(vectors[0], 0)).toEqual([]);
    expect(index.search(new Float32Array(dim), 5)).toEqual([]);
    expect(index.search(vectors[0], 10)[0]).toEqual({ index: 0, similarity: expect.closeTo(1, 6) });
    expect(() => index.search(new Float32Array(dim + 1), 2)).toThrow(/dimensions/);
    expect(() => SparseVectorIndex.decode(new Uint8Array(32))).toThrow(/magic/);
  });

  it('is what the built index of the 42 guides uses, and every eval question finds neighbours', async () => {
    const library = await sharedLibrary();
    expect(library.current.vectors).toBeInstanceOf(SparseVectorIndex);
    const questions = readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q);
    for (const q of questions.slice(0, 50)) expect((library.current.vectors.search(await library.current.embedQuery(q), 60)).length).toBeGreaterThan(0);
  });
});

import type { Chunk } from './chunks.js';
import type { Tokenizer } from './tokenizer.js';
import { ScoreBuffer } from './top-k.js';

/** Field weights and length normalisation of BM25F: the service's name counts most. */
export const BM25_PARAMS = {
  k1: 1.2,
  weights: { name: 3, heading: 2, body: 1 },
  b: { name: 0.3, heading: 0.5, body: 0.75 },
} as const;
type Field = keyof typeof BM25_PARAMS.weights;
const FIELDS: Field[] = ['name', 'heading', 'body'];

export interface Bm25Data {
  version: 1;
  docCount: number;
  /** term -> [chunk index, impact, chunk index, impact, …]; impact = idf·tf~/(k1+tf~). */
  postings: Record<string, number[]>;
  idf: Record<string, number>;
}

export interface Bm25Hit {
  index: number;
  score: number;
}

/**
 * A BM25F index whose per-(term, chunk) contributions are computed at build time, so a query is
 * only a sum over the postings of its terms.
 */
export class Bm25Index {
  /** Made on the first query; queries are synchronous, so one buffer serves them all. */
  private buffer: ScoreBuffer | null = null;

  private constructor(private readonly data: Bm25Data) {}

  static build(chunks: Chunk[], tokenizer: Tokenizer): Bm25Index {
    const { k1, weights, b } = BM25_PARAMS;
    const tokens = chunks.map(
      (c): Record<Field, string[]> => ({
        name: tokenizer.tokenize(c.name),
        heading: tokenizer.tokenize(c.heading),
        body: tokenizer.tokenize(c.body),
      }),
    );
    const avg = Object.fromEntries(FIELDS.map((f) => [f, tokens.reduce((s, t) => s + t[f].length, 0) / Math.max(1, tokens.length) || 1])) as Record<Field, number>;
    const df = new Map<string, number>();
    const tfs = tokens.map((t) => {
      const tf = new Map<string, number>();
      for (const f of FIELDS) {
        const norm = 1 - b[f] + (b[f] * t[f].length) / avg[f];
        for (const term of t[f]) tf.set(term, (tf.get(term) ?? 0) + weights[f] / norm);
      }
      for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
      return tf;
    });
    const n = chunks.length;
    const idf: Record<string, number> = {};
    for (const [term, d] of df) idf[term] = Math.log(1 + (n - d + 0.5) / (d + 0.5));
    const postings: Record<string, number[]> = {};
    tfs.forEach((tf, i) => {
      for (const [term, w] of tf) (postings[term] ??= []).push(i, Math.round(((idf[term] * w) / (k1 + w)) * 1e5) / 1e5);
    });
    return new Bm25Index({ version: 1, docCount: n, postings, idf });
  }

  static fromJSON(data: Bm25Data): Bm25Index {
    if (data.version !== 1) throw new Error(`unsupported BM25 index version ${String(data.version)}`);
    return new Bm25Index(data);
  }

  toJSON(): Bm25Data {
    return this.data;
  }

  /** IDF of a term; a term never seen in the corpus gets the highest possible IDF. */
  idf(term: string): number {
    return this.data.idf[term] ?? Math.log(1 + (this.data.docCount + 0.5) / 0.5);
  }

  has(term: string): boolean {
    return term in this.data.postings;
  }

  /** Scores every chunk that shares a term with the query; `filter` restricts to a chunk subset, `weights` scale terms. */
  search(terms: string[], limit: number, filter?: (index: number) => boolean, weights?: ReadonlyMap<string, number>): Bm25Hit[] {
    const buffer = (this.buffer ??= new ScoreBuffer(this.data.docCount));
    for (const term of new Set(terms)) {
      const p = this.data.postings[term];
      if (!p) continue;
      const w = weights?.get(term) ?? 1;
      for (let i = 0; i < p.length; i += 2) {
        if (filter && !filter(p[i])) continue;
        buffer.add(p[i], w * p[i + 1]);
      }
    }
    return buffer.take(limit);
  }

  /** Indexes of the chunks that contain a term. */
  chunksWith(term: string): number[] {
    const p = this.data.postings[term];
    const out: number[] = [];
    if (p) for (let i = 0; i < p.length; i += 2) out.push(p[i]);
    return out;
  }

  /** The query terms that occur in a chunk. */
  matched(terms: string[], index: number): string[] {
    return [...new Set(terms)].filter((t) => {
      const p = this.data.postings[t];
      if (!p) return false;
      for (let i = 0; i < p.length; i += 2) if (p[i] === index) return true;
      return false;
    });
  }
}

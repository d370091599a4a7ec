import type { Tokenizer } from './tokenizer.js';

/** Turns texts into unit vectors. Implementations: the embedded hashing embedder, or an endpoint. */
export interface Embedder {
  /** Identifies model and dimensions; a persisted index is reused only with the same id. */
  readonly id: string;
  readonly dim: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

function fnv1a(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/**
 * The embedded default: no model, no download. A signed feature-hashing vector of the text's
 * words (segmented, synonyms folded) and its character bigrams, with sublinear term frequency.
 * It catches shared words and shared characters across different segmentations and synonym
 * variants the dictionary knows; it cannot catch meaning without shared characters (e.g. 宝宝
 * and 新生儿 unless listed as synonyms) — that is what an endpoint model such as bge-m3 is for.
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly dim = 512,
  ) {
    this.id = `hashing-v1-${dim}`;
  }

  /** `terms`: the text's tokens when the caller already has them (a query), to segment it once. */
  embedOne(text: string, terms: string[] = this.tokenizer.tokenize(text)): Float32Array {
    const v = new Float32Array(this.dim);
    const counts = new Map<string, number>();
    for (const w of terms) counts.set(`w:${w}`, (counts.get(`w:${w}`) ?? 0) + 1);
    const chars = [...text.replace(/[^\p{L}\p{N}]/gu, '')];
    for (let i = 0; i + 1 < chars.length; i++) {
      const bg = `b:${chars[i]}${chars[i + 1]}`;
      counts.set(bg, (counts.get(bg) ?? 0) + 1);
    }
    for (const [f, c] of counts) {
      const h = fnv1a(f, 0);
      const weight = (f.startsWith('w:') ? 1.5 : 1) * (1 + Math.log(c));
      v[h % this.dim] += (fnv1a(f, 7) & 1 ? 1 : -1) * weight;
    }
    return normalize(v);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}

import type { AspectKey } from '../kb/aspects.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Guide } from '../kb/schema.js';
import type { Bm25Index } from './bm25.js';
import type { Chunk } from './chunks.js';
import type { HashingEmbedder, Embedder } from './embedder.js';
import type { Tokenizer } from './tokenizer.js';
import type { VectorSearch } from './vector-index.js';
import { AspectDetector, type AspectDetection } from './aspect.js';
import { termWeight, type TermWeights } from './weights.js';
import { NameIndex } from './names.js';

export interface ChunkHit {
  chunk: Chunk;
  index: number;
  /** Reciprocal-rank fusion of the two rankings. */
  score: number;
  bm25: number;
  similarity: number;
}

export interface GuideHit {
  guideId: string;
  title: string;
  department: string;
  score: number;
  /** Share of the query's information (IDF-weighted terms) found anywhere in this guide. */
  coverage: number;
  /** Share of the query's information found in the guide's title and aliases. */
  nameCoverage: number;
  /** Share of the best-matching name (title or one alias) that the query says: 1 = named in full. */
  nameRecall: number;
  /** Best cosine similarity of the query to one of the guide's chunks. */
  similarity: number;
  matched: string[];
  chunks: ChunkHit[];
}

export interface SearchResult {
  terms: string[];
  /**
   * The query's most informative word, when it is a real word that appears nowhere in the
   * knowledge base (商标, 渔船, 专利): a short question about something the guides do not cover.
   */
  unknownKey: string | null;
  chunks: ChunkHit[];
  guides: GuideHit[];
}

/** A guide's names and parts as term sets (see SearchIndex.partsOf). */
export interface GuideParts {
  name: ReadonlySet<string>;
  parts: { aspect: AspectKey; faqIndex?: number; heading: ReadonlySet<string>; body: ReadonlySet<string> }[];
}

export interface SearchOptions {
  limit?: number;
  /** Score only these guides' chunks (follow-ups within the current guide). */
  guideIds?: ReadonlySet<string>;
  /** Prefer chunks of this aspect a little. */
  aspect?: AspectKey | null;
}

interface QueryTerms {
  unique: string[];
  weights: number[];
  /** Per unique term, the guides whose chunks contain it. */
  guides: ReadonlySet<string>[];
  total: number;
  have: ReadonlySet<string>;
}

interface WeightedName {
  terms: string[];
  weights: number[];
  total: number;
}

/**
 * Rank fusion: k and the two lists' weights, the name list's weight, how many chunks each list
 * gives; then, per guide, what its second-best chunk, its name words (nameCoverage), being named in
 * full (nameRecall) and holding the question's information (coverage) add to its best chunk. Ranks
 * keep no magnitudes: without the last two a long official name that repeats a word
 * (对不予法律援助决定…的审查) outranked the guide the question names (法律援助申请).
 */
export const FUSION = {
  k: 60,
  bm25Weight: 1,
  vectorWeight: 0.6,
  nameWeight: 0.3,
  depth: 60,
  secondChunkWeight: 0.3,
  nameCoverageWeight: 0.01,
  nameRecallWeight: 0.01,
  coverageWeight: 0.03,
} as const;

/**
 * The hybrid retriever: BM25F over segmented text and a vector index over embeddings, fused by
 * reciprocal rank, with chunks grouped into guides. Immutable once built; a rebuild makes a new one.
 */
export class SearchIndex {
  /** term -> guides whose chunks contain it (filled lazily); name terms per guide. */
  private readonly termGuides = new Map<string, Set<string>>();
  private readonly nameTerms = new Map<string, Set<string>>();
  private readonly names = new Map<string, string[][]>();
  private readonly nameWeights = new Map<string, WeightedName[]>();
  /** Aspect cues, with the dictionary's terms protected from being cut (残疾 in 残疾证). */
  readonly aspects: AspectDetector;
  private readonly chunkGuide: string[];
  private readonly nameIndex: NameIndex;
  private readonly weightCache = new Map<string, number>();
  private readonly partCache = new Map<string, GuideParts>();

  constructor(
    readonly kb: KnowledgeBase,
    readonly chunks: Chunk[],
    readonly bm25: Bm25Index,
    readonly vectors: VectorSearch,
    readonly tokenizer: Tokenizer,
    readonly embedder: Embedder,
    readonly weights: TermWeights,
  ) {
    this.chunkGuide = chunks.map((c) => c.guideId);
    this.nameIndex = new NameIndex(kb.guides.map((g) => ({ id: g.id, names: [g.title, ...g.aliases] })));
    tokenizer.useVocabulary(weights);
    this.aspects = new AspectDetector(tokenizer.protectedTerms());
    const detectAspect = (s: string) => this.aspects.detect(s);
    // Name terms leave out asking words in aliases ("补身份证要多少钱" names the service by 补身份证).
    const addNames = (id: string, all: string[]) => {
      const names = all.map((n) => tokenizer.tokenize(detectAspect(n).rest)).filter((n) => n.length);
      this.names.set(id, names);
      this.nameTerms.set(id, new Set(names.flat()));
    };
    for (const g of kb.guides) addNames(g.id, [g.title, ...g.aliases]);
    // A FAQ file that belongs to no guide is a "guide" of its own, named by its title.
    for (const f of kb.faqs) if (!f.guide || !kb.byId.has(f.guide)) addNames(f.id, [f.title]);
  }

  /** The guides whose chunks contain a term, from the BM25 postings; worked out once per term, when first asked. */
  private guidesWith(term: string): ReadonlySet<string> {
    let s = this.termGuides.get(term);
    if (!s) {
      s = new Set(this.bm25.chunksWith(term).map((i) => this.chunkGuide[i]));
      this.termGuides.set(term, s);
    }
    return s;
  }

  /** Query embedding; synchronous for the embedded embedder, so the hot path never awaits. */
  async embedQuery(text: string, terms?: string[]): Promise<Float32Array> {
    const e = this.embedder as Partial<HashingEmbedder>;
    return typeof e.embedOne === 'function' ? e.embedOne(text, terms) : (await this.embedder.embed([text]))[0];
  }

  /** How much a term says (general-corpus IDF); remembered, it is asked for on every query. */
  weight(term: string): number {
    let w = this.weightCache.get(term);
    if (w === undefined) this.weightCache.set(term, (w = termWeight(this.weights, term)));
    return w;
  }

  /**
   * A guide's names and parts (each section, each FAQ pair) as term sets, for telling which part
   * answers a question; segmented once per guide, when first asked.
   */
  partsOf(guide: Guide): GuideParts {
    let p = this.partCache.get(guide.id);
    if (!p) {
      const set = (t: string) => new Set(this.tokenizer.tokenize(t));
      p = {
        name: set([guide.title, ...guide.aliases].join(' ')),
        parts: [
          ...guide.faq.map((f, i) => ({ aspect: 'faq' as const, faqIndex: i, heading: set(f.question), body: set(f.answer) })),
          ...guide.sections.filter((s) => s.aspect !== 'faq').map((s) => ({ aspect: s.aspect, heading: set(s.heading), body: set(s.text) })),
        ],
      };
      this.partCache.set(guide.id, p);
    }
    return p;
  }

  /** A query's distinct terms and their weights, worked out once for every guide it is compared with. */
  private queryTerms(terms: string[]): QueryTerms {
    const unique = [...new Set(terms)];
    const weights = unique.map((t) => this.weight(t));
    return { unique, weights, guides: unique.map((t) => this.guidesWith(t)), total: weights.reduce((s, w) => s + w, 0), have: new Set(terms) };
  }

  /** Information-weighted share of the query's terms found in one guide (anywhere, or in its name). */
  private coverage(guideId: string, q: QueryTerms, nameOnly: boolean): { coverage: number; matched: string[] } {
    if (!q.total) return { coverage: 0, matched: [] };
    const names = this.nameTerms.get(guideId);
    const matched: string[] = [];
    let got = 0;
    q.unique.forEach((t, i) => {
      if (nameOnly ? names?.has(t) : q.guides[i].has(guideId)) {
        matched.push(t);
        got += q.weights[i];
      }
    });
    return { coverage: got / q.total, matched };
  }

  detectAspect(question: string): AspectDetection {
    return this.aspects.detect(question);
  }

  /** The words of a guide's names (title and aliases) that the query uses. */
  namedBy(guideId: string, terms: string[]): Set<string> {
    const names = this.nameTerms.get(guideId);
    return new Set(terms.filter((t) => names?.has(t)));
  }

  /** How fully the query names this guide: the best share of one of its names (title or an alias) present in the query. */
  private nameRecall(guideId: string, have: ReadonlySet<string>): number {
    let best = 0;
    for (const name of this.weightedNames(guideId)) {
      let got = 0;
      name.terms.forEach((t, i) => {
        if (have.has(t)) got += name.weights[i];
      });
      if (name.total) best = Math.max(best, got / name.total);
    }
    return best;
  }

  /** A guide's names as distinct terms with their weights; worked out once per guide, when first asked. */
  private weightedNames(guideId: string): WeightedName[] {
    let w = this.nameWeights.get(guideId);
    if (!w) {
      w = (this.names.get(guideId) ?? []).map((name) => {
        const terms = [...new Set(name)];
        const weights = terms.map((t) => this.weight(t));
        return { terms, weights, total: weights.reduce((s, x) => s + x, 0) };
      });
      this.nameWeights.set(guideId, w);
    }
    return w;
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchResult> {
    const { terms, weights: weighted } = this.tokenizer.query(query);
    const filter = opts.guideIds ? (i: number) => opts.guideIds!.has(this.chunkGuide[i]) : undefined;
    const lexical = this.bm25.search(terms, FUSION.depth, filter, weighted);
    const vector = terms.length ? this.vectors.search(await this.embedQuery(query, terms), opts.guideIds ? FUSION.depth * 4 : FUSION.depth) : [];

    const fused = new Map<number, ChunkHit>();
    const hit = (index: number): ChunkHit => {
      let h = fused.get(index);
      if (!h) fused.set(index, (h = { chunk: this.chunks[index], index, score: 0, bm25: 0, similarity: 0 }));
      return h;
    };
    lexical.forEach((l, rank) => {
      const h = hit(l.index);
      h.bm25 = l.score;
      h.score += FUSION.bm25Weight / (FUSION.k + rank + 1);
    });
    let rank = 0;
    for (const v of vector) {
      if (filter && !filter(v.index)) continue;
      const h = hit(v.index);
      h.similarity = v.similarity;
      h.score += FUSION.vectorWeight / (FUSION.k + rank + 1);
      rank++;
    }
    if (opts.aspect) for (const h of fused.values()) if (h.chunk.aspect === opts.aspect) h.score *= 1.1;
    const chunks = [...fused.values()].sort((a, b) => b.score - a.score || a.index - b.index);

    const byGuide = new Map<string, ChunkHit[]>();
    for (const c of chunks) {
      const list = byGuide.get(c.chunk.guideId);
      if (list) list.push(c);
      else byGuide.set(c.chunk.guideId, [c]);
    }
    const nameRank = new Map<string, number>();
    if (!opts.guideIds) this.nameIndex.search(query, FUSION.depth).forEach((h, r) => nameRank.set(h.guideId, r));
    const q = this.queryTerms(terms);
    const guides: GuideHit[] = [];
    for (const [guideId, hits] of byGuide) {
      const { coverage, matched } = this.coverage(guideId, q, false);
      const nameCoverage = this.coverage(guideId, q, true).coverage;
      const nameRecall = this.nameRecall(guideId, q.have);
      const first = hits[0].chunk;
      let similarity = -Infinity;
      for (const h of hits) if (h.similarity > similarity) similarity = h.similarity;
      guides.push({
        guideId,
        title: first.title,
        department: first.department,
        // The best chunk decides; a second supporting chunk, the names and the coverage add a little.
        score:
          hits[0].score +
          FUSION.secondChunkWeight * (hits[1]?.score ?? 0) +
          FUSION.nameCoverageWeight * nameCoverage +
          FUSION.nameRecallWeight * nameRecall +
          FUSION.coverageWeight * coverage +
          (nameRank.has(guideId) ? FUSION.nameWeight / (FUSION.k + nameRank.get(guideId)! + 1) : 0),
        coverage,
        nameCoverage,
        nameRecall,
        similarity,
        matched,
        chunks: hits,
      });
    }
    guides.sort((a, b) => b.score - a.score || a.guideId.localeCompare(b.guideId));
    return { terms, unknownKey: this.unknownKey(terms), chunks: chunks.slice(0, opts.limit ?? 20), guides: guides.slice(0, opts.limit ?? 20) };
  }

  private unknownKey(terms: string[]): string | null {
    const content = [...new Set(terms)].filter((t) => this.weight(t) >= 5);
    if (!content.length || content.length > 3) return null;
    const key = content.reduce((a, b) => (this.weight(b) > this.weight(a) ? b : a));
    return this.weights.has(key) && this.weight(key) >= 7.5 && !this.bm25.has(key) ? key : null;
  }
}

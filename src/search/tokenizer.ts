import { pinyin } from 'pinyin-pro';
import type { DomainDictionary } from './dictionary.js';

/** Splits text into words. jieba on Node; the edge plugs in a segmenter that runs in workerd. */
export interface Segmenter {
  /** Search-mode segmentation: long words also yield their dictionary sub-words. */
  segment(text: string): string[];
  /** The same words, each marked when it is only a part of a longer word the text has. */
  segmentParts?(text: string): { word: string; part: boolean }[];
}

/** How much a query word that is only part of a longer word counts (宅基 and 基地 of 宅基地). */
export const PART_WEIGHT = 0.4;

export interface TokenizerOptions {
  /** Add character bigrams of CJK words longer than two characters (measured in the eval). */
  bigrams?: boolean;
}

const CJK = /[\u3400-\u9fff]/;
const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * Turns text into index/query terms: segmentation with the domain dictionary, synonyms folded to
 * one form (身份证/居民身份证 → 身份证), stop words dropped, Latin lower-cased, optional bigrams.
 */
export class Tokenizer {
  private readonly fold = new Map<string, string>();
  private readonly stop: Set<string>;
  /** Every synonym form, longest first: phrases the segmenter might split are matched whole. */
  private readonly phrases: string[];
  private readonly domainWords: string[];
  /** Whether a string is a real word: a real word is never "corrected". Set by useVocabulary. */
  private isKnownWord: (w: string) => boolean = () => false;
  /** Pinyin of each dictionary term ("she bao ka") -> the term, for typo correction. */
  private readonly soundsLike = new Map<string, string>();
  /** Every leading run of syllables of a soundsLike key ("she", "she bao", "she bao ka"). */
  private readonly soundPrefixes = new Set<string>();

  constructor(
    private readonly segmenter: Segmenter,
    dict: DomainDictionary,
    readonly options: TokenizerOptions = {},
  ) {
    for (const group of dict.synonyms) for (const w of group) if (!this.fold.has(w)) this.fold.set(w, group[0]);
    this.stop = new Set(dict.stopwords);
    this.domainWords = dict.words.map((l) => l.split(/\s+/)[0]).filter(Boolean);
    const ambiguous = new Set<string>();
    for (const term of new Set([...this.domainWords, ...dict.synonyms.flat()])) {
      if (term.length < 2 || !/^[\u3400-\u9fff]+$/.test(term)) continue;
      const key = pinyin(term, { toneType: 'none', type: 'array' }).join(' ');
      // Two terms that sound alike (事例/示例) cannot correct each other's typos.
      if (this.soundsLike.has(key) && this.soundsLike.get(key) !== term) ambiguous.add(key);
      else this.soundsLike.set(key, term);
    }
    for (const key of ambiguous) this.soundsLike.delete(key);
    for (const key of this.soundsLike.keys()) {
      const syl = key.split(' ');
      for (let n = 1; n <= syl.length; n++) this.soundPrefixes.add(syl.slice(0, n).join(' '));
    }
    this.phrases = [...this.fold.keys()].filter((w) => w.length > 1).sort((a, b) => b.length - a.length);
  }

  /** The general vocabulary (words of the IDF table), so that real words are left as typed. */
  useVocabulary(words: ReadonlyMap<string, unknown>): void {
    this.isKnownWord = (w) => words.has(w);
  }

  /** Terms of the domain dictionary and synonym groups: whole words an aspect cue may not cut. */
  protectedTerms(): string[] {
    return [...this.domainWords, ...this.fold.keys()];
  }

  /** Canonical form of one word. */
  canonical(word: string): string {
    return this.fold.get(word) ?? word;
  }

  isStopword(word: string): boolean {
    return this.stop.has(word);
  }

  tokenize(text: string): string[] {
    return this.terms(text).map((t) => t.term);
  }

  /**
   * Query terms with how much each counts: a whole word 1, a piece of a longer word PART_WEIGHT
   * (the longer word is the evidence; its pieces are there for recall).
   */
  weightedTerms(text: string): Map<string, number> {
    return this.query(text).weights;
  }

  /** A query's terms and their weights, from one segmentation. */
  query(text: string): { terms: string[]; weights: Map<string, number> } {
    const terms: string[] = [];
    const weights = new Map<string, number>();
    for (const { term, part } of this.terms(text)) {
      terms.push(term);
      weights.set(term, Math.max(weights.get(term) ?? 0, part ? PART_WEIGHT : 1));
    }
    return { terms, weights };
  }

  private terms(text: string): { term: string; part: boolean }[] {
    const out: { term: string; part: boolean }[] = [];
    const normalized = text.normalize('NFKC').toLowerCase();
    const words = this.segmenter.segmentParts?.(normalized) ?? this.segmenter.segment(normalized).map((word) => ({ word, part: false }));
    for (const { word, part } of words) {
      const w = word.trim();
      if (!w || !WORDLIKE.test(w) || this.stop.has(w)) continue;
      const c = this.canonical(w);
      if (this.stop.has(c)) continue;
      out.push({ term: c, part });
      if (this.options.bigrams && c.length > 2 && CJK.test(c)) {
        for (let i = 0; i + 2 <= c.length; i++) out.push({ term: c.slice(i, i + 2), part: true });
      }
    }
    return out;
  }

  /** Synonym phrases present in the text (for phrase-level matching of aliases). */
  phrasesIn(text: string): string[] {
    return this.phrases.filter((p) => text.includes(p)).map((p) => this.canonical(p));
  }

  /**
   * Corrects homophone typos of dictionary terms. People type with pinyin input methods, so their
   * typos sound right and look wrong: 社宝卡, 结昏证, 低宝, 公基金, 户照. A stretch of the text that
   * sounds exactly like a dictionary term, and is not itself a known word, is replaced by the term.
   */
  correct(text: string): string {
    if (!this.soundsLike.size) return text;
    return text.replace(/[\u3400-\u9fff]{2,}/g, (run) => {
      const syl = pinyin(run, { toneType: 'none', type: 'array' });
      if (syl.length !== run.length) return run;
      // Real words in the text (税务 in 去税务局): a window that cuts one is not a typo (去税 ≠ 取水).
      // Worked out only for a run that sounds like a term somewhere (most do not).
      let words: [number, number][] | null = null;
      const cutsWord = (a: number, b: number) => {
        if (!words) {
          words = [];
          for (let x = 0; x < run.length; x++) for (let y = x + 2; y <= Math.min(run.length, x + 4); y++) if (this.isKnownWord(run.slice(x, y))) words.push([x, y]);
        }
        return words.some(([x, y]) => x < b && y > a && (x < a || y > b));
      };
      let out = '';
      let i = 0;
      while (i < run.length) {
        // The terms this position could start, longest first (at most six syllables).
        const found: [number, string][] = [];
        let key = syl[i];
        for (let len = 1; len <= Math.min(6, run.length - i) && this.soundPrefixes.has(key); len++) {
          const term = len >= 2 ? this.soundsLike.get(key) : undefined;
          if (term) found.unshift([len, term]);
          if (i + len < run.length) key += ` ${syl[i + len]}`;
        }
        let replaced = false;
        for (const [len, term] of found) {
          const window = run.slice(i, i + len);
          if (term === window || (!this.isKnownWord(window) && !cutsWord(i, i + len))) {
            out += term;
            i += len;
            replaced = true;
            break;
          }
        }
        if (!replaced) out += run[i++];
      }
      return out;
    });
  }
}

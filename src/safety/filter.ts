import { AhoCorasick } from '@monyone/aho-corasick';
import { LRUCache } from 'lru-cache';

export const SAFETY_CATEGORIES = ['abuse', 'fraud', 'violence'] as const;
export type SafetyCategory = (typeof SAFETY_CATEGORIES)[number];

export interface SafetyMatch {
  word: string;
  category: SafetyCategory;
  /** Position in the original text (UTF-16 units, end exclusive). */
  begin: number;
  end: number;
}

export interface SafetyVerdict {
  matches: SafetyMatch[];
  /** The category that refuses the message (violence before fraud before abuse), or null. */
  refused: SafetyCategory | null;
}

/** Case, full-/half-width (NFKC) and spaces inside a word do not hide it. */
function normalize(text: string): { norm: string; origin: number[] } {
  let norm = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    // Most of a reply is CJK ideographs, lowercase letters and digits, which NFKC and case leave as they are.
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) {
      norm += ch;
      origin.push(i);
      continue;
    }
    if (/[\s\u200b-\u200d\u2060\ufeff]/.test(ch)) continue;
    const n = ch.normalize('NFKC').toLowerCase();
    for (const c of n) {
      norm += c;
      origin.push(i);
    }
  }
  return { norm, origin };
}

const REFUSAL_ORDER: SafetyCategory[] = ['violence', 'fraud', 'abuse'];

/**
 * The sensitive-word filter: one Aho–Corasick automaton over every word of the lists, run on the
 * normalized message. Input: violence, fraud and abuse refuse the message (calmly, see
 * replies.ts). Output: abusive words are masked, so a model can never insult a citizen; guide
 * text that names fraud ("骗取社会保险待遇的…") is the law speaking and passes.
 */
export class SensitiveWordFilter {
  private readonly automaton: AhoCorasick;
  private readonly categories = new Map<string, SafetyCategory>();
  /** Replies already cleaned, as they were cleaned (see cleanOutput). */
  private readonly cleaned: LRUCache<string, string> | null;

  /** `cache`: how many distinct reply texts to keep cleaned (0: none). */
  constructor(entries: { word: string; category: SafetyCategory }[], opts: { cache?: number } = {}) {
    for (const e of entries) {
      const w = normalize(e.word).norm;
      if (w) this.categories.set(w, e.category);
    }
    this.automaton = new AhoCorasick([...this.categories.keys()]);
    this.cleaned = opts.cache ? new LRUCache({ max: opts.cache, maxSize: opts.cache * 2048, sizeCalculation: (_v: string, k: string) => k.length + 1 }) : null;
  }

  get size(): number {
    return this.categories.size;
  }

  matches(text: string): SafetyMatch[] {
    const { norm, origin } = normalize(text);
    if (!norm || !this.categories.size) return [];
    return this.automaton.matchInText(norm).map((m) => ({
      word: m.keyword,
      category: this.categories.get(m.keyword)!,
      begin: origin[m.begin],
      end: origin[m.end - 1] + 1,
    }));
  }

  inspect(text: string): SafetyVerdict {
    const matches = this.matches(text);
    const found = new Set(matches.map((m) => m.category));
    return { matches, refused: REFUSAL_ORDER.find((c) => found.has(c)) ?? null };
  }

  /**
   * Masks abusive words in a reply (one ＊ per character). The same reply text comes again and
   * again (the answer cache serves one answer to everyone who asks), and scanning it was a tenth of
   * a turn: a text once cleaned is kept with its result, the function being pure.
   */
  cleanOutput(text: string): string {
    const kept = this.cleaned?.get(text);
    if (kept !== undefined) return kept;
    const out = this.mask(text);
    this.cleaned?.set(text, out);
    return out;
  }

  private mask(text: string): string {
    const abusive = this.matches(text).filter((m) => m.category === 'abuse');
    if (!abusive.length) return text;
    const chars = text.split('');
    for (const m of abusive) for (let i = m.begin; i < m.end; i++) if (!/\s/.test(chars[i])) chars[i] = '＊';
    return chars.join('');
  }
}

import type { DomainDictionary } from './dictionary.js';
import type { Segmenter } from './tokenizer.js';

/**
 * What govchat needs of a jieba build: the same jieba-rs library runs natively on Node
 * (@node-rs/jieba, src/search/jieba.ts) and as WebAssembly at the edge (jieba-wasm,
 * src/edge/jieba-wasm.ts). Both feed this one module, so they segment alike.
 */
export interface JiebaCut {
  /** Accurate mode with HMM. */
  cut(text: string): string[];
  /** Search mode with HMM: long words also yield their dictionary sub-words. */
  cutForSearch(text: string): string[];
}

/**
 * The user dictionary loaded into jieba, as "word freq [tag]" lines: the domain dictionary plus
 * every synonym (so 不动产登记 and 住房公积金 stay whole) and any extra words.
 */
export function userDictionary(domain: DomainDictionary, extraWords: string[] = []): string {
  const words = [...domain.words, ...domain.synonyms.flat().map((w) => `${w} 20000`), ...extraWords.map((w) => `${w} 10000`)];
  const entries = words.map((l) => l.split(/\s+/)).filter((p) => p[0] && !/\s/.test(p[0]));
  return entries.map((p) => `${p[0]} ${p[1] ?? 20000}${p[2] ? ` ${p[2]}` : ''}`).join('\n');
}

/**
 * Words are cut first, then long words also yield their sub-words (search mode, for recall:
 * 上海交通大学 → 上海, 交通, 大学) — except a synonym that folds to another form: 第一次 is the
 * term 首次, and its pieces 第一 and 一次 would only add noise.
 */
export function searchModeSegmenter(jieba: JiebaCut, domain: DomainDictionary): Segmenter {
  const folded = new Set(domain.synonyms.flatMap((g) => g.slice(1)).map((w) => w.toLowerCase()));
  const segmentParts = (text: string) =>
    jieba.cut(text).flatMap((w) => (w.length > 2 && !folded.has(w) ? jieba.cutForSearch(w).map((x) => ({ word: x, part: x !== w })) : [{ word: w, part: false }]));
  return { segment: (text) => segmentParts(text).map((x) => x.word), segmentParts };
}

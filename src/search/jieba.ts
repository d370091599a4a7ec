import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { DomainDictionary } from './dictionary.js';
import type { Segmenter } from './tokenizer.js';

/**
 * jieba (Rust, via @node-rs/jieba) with its default dictionary plus the domain dictionary and
 * every synonym, so 不动产登记 and 住房公积金 stay whole. HMM stays on or 换领 splits.
 *
 * Words are cut first, then long words also yield their sub-words (search mode, for recall:
 * 上海交通大学 → 上海, 交通, 大学) — except a synonym that folds to another form: 第一次 is the
 * term 首次, and its pieces 第一 and 一次 would only add noise.
 */
export function jiebaSegmenter(domain: DomainDictionary, extraWords: string[] = []): Segmenter {
  const jieba = Jieba.withDict(dict);
  const words = [...domain.words, ...domain.synonyms.flat().map((w) => `${w} 20000`), ...extraWords.map((w) => `${w} 10000`)];
  const entries = words.map((l) => l.split(/\s+/)).filter((p) => p[0] && !/\s/.test(p[0]));
  if (entries.length) jieba.loadDict(Buffer.from(entries.map((p) => `${p[0]} ${p[1] ?? 20000}${p[2] ? ` ${p[2]}` : ''}`).join('\n')));
  const folded = new Set(domain.synonyms.flatMap((g) => g.slice(1)).map((w) => w.toLowerCase()));
  const segmentParts = (text: string) =>
    jieba.cut(text, true).flatMap((w) => (w.length > 2 && !folded.has(w) ? jieba.cutForSearch(w, true).map((x) => ({ word: x, part: x !== w })) : [{ word: w, part: false }]));
  return { segment: (text) => segmentParts(text).map((x) => x.word), segmentParts };
}

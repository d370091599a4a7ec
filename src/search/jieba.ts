import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { DomainDictionary } from './dictionary.js';
import type { Segmenter } from './tokenizer.js';

/**
 * jieba (Rust, via @node-rs/jieba) with its default dictionary plus the domain dictionary and
 * every synonym, so 不动产登记 and 住房公积金 stay whole. HMM stays on or 换领 splits.
 */
export function jiebaSegmenter(domain: DomainDictionary, extraWords: string[] = []): Segmenter {
  const jieba = Jieba.withDict(dict);
  const words = [...domain.words, ...domain.synonyms.flat().map((w) => `${w} 20000`), ...extraWords.map((w) => `${w} 10000`)];
  const entries = words.map((l) => l.split(/\s+/)).filter((p) => p[0] && !/\s/.test(p[0]));
  if (entries.length) jieba.loadDict(Buffer.from(entries.map((p) => `${p[0]} ${p[1] ?? 20000}${p[2] ? ` ${p[2]}` : ''}`).join('\n')));
  return { segment: (text) => jieba.cutForSearch(text, true) };
}

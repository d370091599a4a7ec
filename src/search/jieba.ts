import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { DomainDictionary } from './dictionary.js';
import { searchModeSegmenter, userDictionary } from './jieba-core.js';
import type { Segmenter } from './tokenizer.js';

/**
 * jieba (Rust, via @node-rs/jieba) with its default dictionary plus the domain dictionary and
 * every synonym, so 不动产登记 and 住房公积金 stay whole. HMM stays on or 换领 splits.
 * The segmentation itself (cut, then search-mode sub-words) is in jieba-core.ts, shared with the edge.
 */
export function jiebaSegmenter(domain: DomainDictionary, extraWords: string[] = []): Segmenter {
  const jieba = Jieba.withDict(dict);
  const user = userDictionary(domain, extraWords);
  if (user) jieba.loadDict(Buffer.from(user));
  return searchModeSegmenter({ cut: (t) => jieba.cut(t, true), cutForSearch: (t) => jieba.cutForSearch(t, true) }, domain);
}

import { describe, expect, it } from 'vitest';
import { loadDictionary } from './dictionary.js';
import { jiebaSegmenter } from './jieba.js';
import { Tokenizer } from './tokenizer.js';

const dict = loadDictionary(['knowledge']);
const tokenizer = new Tokenizer(jiebaSegmenter(dict), dict);

describe('Chinese tokenizer with the domain dictionary', () => {
  it('keeps 不动产登记 and 住房公积金 whole', () => {
    const t = tokenizer.tokenize('我想办理不动产登记和住房公积金提取');
    expect(t).toContain('不动产登记');
    // 住房公积金 is folded to its synonym group's form, 公积金; the whole term survives segmentation.
    expect(t).toContain(tokenizer.canonical('住房公积金'));
    expect(tokenizer.canonical('住房公积金')).toBe('公积金');
    expect(jiebaSegmenter(dict).segment('我想办理不动产登记和住房公积金提取')).toEqual(expect.arrayContaining(['不动产登记', '住房公积金']));
  });

  it('keeps 上海交通大学 whole (with its parts for recall)', () => {
    expect(tokenizer.tokenize('上海交通大学毕业生落户')).toEqual(expect.arrayContaining(['上海交通大学', '落户']));
  });

  it('folds synonyms to one form', () => {
    expect(tokenizer.tokenize('居民身份证')).toContain('身份证');
    expect(tokenizer.tokenize('报户口')).toContain('上户口');
    expect(tokenizer.tokenize('社会保险')).toContain('社保');
  });

  it('drops stop words and punctuation, lower-cases Latin', () => {
    expect(tokenizer.tokenize('请问，我的身份证怎么办理？')).toEqual(['身份', '身份证']);
    expect(tokenizer.tokenize('APP')).toEqual(['app']);
  });

  it('a synonym folded to another form brings no pieces of itself (noise beside the folded term)', () => {
    expect(tokenizer.tokenize('住房公积金')).toEqual(['公积金']);
    expect(tokenizer.tokenize('居民身份证')).toEqual(['身份证']);
  });

  it('weighs pieces of a longer word less than whole words', () => {
    const w = tokenizer.weightedTerms('宅基地');
    expect(w.get('宅基地')).toBe(1);
    expect(w.get('基地')).toBeLessThan(1);
  });

  it('corrects pinyin-input typos of dictionary terms, but never cuts a real word', () => {
    tokenizer.useVocabulary(new Map([['税务', 1], ['税务局', 1], ['去', 1]]));
    expect(tokenizer.correct('社宝卡丢了')).toContain('社保卡');
    // 去税 sounds like 取水 (a synonym term), but 税务 is a real word it would cut.
    expect(tokenizer.correct('去税务局交社保')).toBe('去税务局交社保');
  });

  it('adds character bigrams of long words only when asked', () => {
    const withBigrams = new Tokenizer(jiebaSegmenter(dict), dict, { bigrams: true });
    expect(withBigrams.tokenize('不动产登记')).toEqual(expect.arrayContaining(['不动', '动产', '产登', '登记']));
    expect(tokenizer.tokenize('不动产登记')).not.toContain('产登');
  });
});

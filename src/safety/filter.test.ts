import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedLibrary } from '../../test/support/library.js';
import { SensitiveWordFilter } from './filter.js';
import { loadWordLists, parseWordList } from './words.js';

const filter = new SensitiveWordFilter(loadWordLists(['knowledge']));

describe('sensitive-word list', () => {
  it('is a modest list with every category, each line well formed', () => {
    const entries = parseWordList(readFileSync('knowledge/dict/sensitive.txt', 'utf8'));
    expect(entries.length).toBeGreaterThan(30);
    expect(entries.length).toBeLessThan(200);
    expect(new Set(entries.map((e) => e.category))).toEqual(new Set(['abuse', 'fraud', 'violence']));
    expect(() => parseWordList('abuse 混蛋\nrude 坏')).toThrow(/sensitive\.txt:2/);
  });

  it('never matches what citizens ordinarily ask: no guide title, alias, section heading or FAQ question of the knowledge base', async () => {
    const lib = await sharedLibrary();
    const texts: string[] = [];
    for (const g of lib.kb.guides) {
      texts.push(g.title, ...(g.aliases ?? []));
      for (const f of g.faq ?? []) texts.push(f.question);
    }
    for (const f of lib.kb.faqs) texts.push(f.title, ...f.pairs.map((p) => p.question));
    expect(texts.length).toBeGreaterThan(100);
    const hits = texts.filter((t) => filter.inspect(t).refused);
    expect(hits).toEqual([]);
    for (const q of ['身份证丢了怎么补办', '垃圾分类怎么投放', '骗子冒充社保局打电话怎么办', '我被诈骗了怎么报警', '杀虫剂能带上飞机吗', '炸鸡店怎么办营业执照', '滚动更新的政策在哪看', '我要投诉窗口态度差']) {
      expect(filter.inspect(q).refused, q).toBeNull();
    }
  });
});

describe('matching', () => {
  it('finds words whatever the case, width or spaces inside them, with their place in the original text', () => {
    const v = filter.inspect('你这个 混 蛋，帮我办假证');
    expect(v.refused).toBe('fraud'); // fraud outranks abuse
    expect(v.matches.map((m) => [m.category, m.word]).sort()).toEqual([
      ['abuse', '混蛋'],
      ['fraud', '办假证'],
    ]);
    const abuse = v.matches.find((m) => m.category === 'abuse')!;
    expect('你这个 混 蛋，帮我办假证'.slice(abuse.begin, abuse.end)).toBe('混 蛋');
    expect(filter.inspect('ＳＴＵＰＩＤ ＢＯＴ').refused).toBe('abuse');
    expect(filter.inspect('I will KILL YOU').refused).toBe('violence');
  });

  it('leaves every guide as written when its text is a reply (no abusive word in the knowledge base)', async () => {
    const lib = await sharedLibrary();
    const changed = lib.kb.guides.filter((g) => filter.cleanOutput(JSON.stringify(g)) !== JSON.stringify(g)).map((g) => g.id);
    expect(changed).toEqual([]);
  });

  it('masks abusive words in replies and leaves the rest', () => {
    expect(filter.cleanOutput('您说的混蛋一词不文明。')).toBe('您说的＊＊一词不文明。');
    const law = '以欺诈、伪造证明材料或者其他手段骗取社会保险待遇的，依法追究责任。';
    expect(filter.cleanOutput(law)).toBe(law);
  });

  it('gives a reply it keeps (ANSWER_CACHE_SIZE) exactly what it gives a fresh one, however often asked, within its bounds', async () => {
    const kept = new SensitiveWordFilter(loadWordLists(['knowledge']), { cache: 3 });
    const texts = ['您说的混蛋一词不文明。', '身份证补领要带户口簿。', '你这个白痴，快走', ...(await sharedLibrary()).kb.guides.slice(0, 5).map((g) => g.title)];
    for (let round = 0; round < 3; round++) for (const t of texts) expect(kept.cleanOutput(t), t).toBe(filter.cleanOutput(t));
    expect(kept.cleanOutput('你这个白痴，快走')).not.toBe('你这个白痴，快走');
    const long = '办理'.repeat(5000); // over the cache's size budget: cleaned, not kept
    expect(kept.cleanOutput(long)).toBe(long);
  });
});

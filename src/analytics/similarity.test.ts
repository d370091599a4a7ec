import { beforeAll, describe, expect, it } from 'vitest';
import { sharedLibrary } from '../../test/support/library.js';
import type { SearchIndex } from '../search/hybrid.js';
import { GROUP_THRESHOLD, groupSimilar, jaccard, normalizeQuestion, termSet } from './similarity.js';

let idx: SearchIndex;
beforeAll(async () => {
  idx = (await sharedLibrary()).current;
});
const norm = (q: string) => normalizeQuestion(q, { tokenizer: idx.tokenizer, stripAspect: (s) => idx.detectAspect(s).rest });

describe('grouping similar unanswered questions', () => {
  it('normalises: personal data masked and dropped, asking words and the aspect removed, terms sorted', () => {
    const n = norm('我手机13812345678，身份证440102199001011234，工伤认定要什么材料？');
    expect(n).not.toMatch(/\d{4}/);
    expect(n.split(' ')).toEqual(expect.arrayContaining(['工伤', '认定']));
    expect(n.split(' ')).not.toContain('材料');
    expect(n.split(' ')).toEqual([...n.split(' ')].sort());
    expect(norm('工伤认定怎么申请')).toBe(norm('工伤认定需要多长时间'));
  });

  it('weighted Jaccard counts informative words more than common ones', () => {
    const w = (t: string) => idx.weight(t);
    const a = termSet('专利 申请');
    expect(jaccard(a, termSet('专利'), w)).toBeGreaterThan(jaccard(a, termSet('申请'), w));
    expect(jaccard(termSet(''), termSet(''))).toBe(1);
    expect(jaccard(termSet('x'), termSet('y'))).toBe(0);
  });

  it('groups real unanswered questions by what they are about, without mixing topics', () => {
    const topics: Record<string, string[]> = {
      工伤: ['工伤认定怎么申请', '工伤认定要什么材料', '工伤认定需要多长时间'],
      驾照: ['第一次考驾照怎么报名', '考驾照在哪里报名', '学车考驾照要多少钱'],
      商标: ['注册商标要多少钱', '商标注册怎么办'],
      狗证: ['宠物狗怎么办狗证', '狗证去哪里办'],
      天气: ['明天示例市会下雨吗'],
    };
    const items = Object.entries(topics).flatMap(([topic, qs]) => qs.map((q) => ({ topic, q, normalized: norm(q) })));
    const groups = groupSimilar(items, GROUP_THRESHOLD, (t) => idx.weight(t));
    for (const g of groups) expect(new Set(g.map((x) => x.topic)).size).toBe(1);
    const sizeOf = (topic: string) => Math.max(...groups.filter((g) => g[0].topic === topic).map((g) => g.length));
    expect(sizeOf('工伤')).toBe(3);
    expect(sizeOf('驾照')).toBe(3);
    expect(sizeOf('商标')).toBe(2);
    expect(sizeOf('狗证')).toBe(2);
    expect(groups[0].length).toBe(3); // largest first
  });

  it('collapses identical forms, so repeated questions count in one group', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ i, normalized: norm(i % 2 ? '怎么申请专利' : '申请专利怎么办') }));
    const groups = groupSimilar(items);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toHaveLength(50);
  });
});

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../kb/load.js';
import { HashingEmbedder } from './embedder.js';
import type { SearchIndex } from './hybrid.js';
import { createTokenizer } from './library.js';
import { buildSearchIndex } from './persist.js';

// An official Guangdong guide (from ../shared/data/gd-service-guides.jsonl, as the importer writes it):
// a long name that says 法律援助 twice, every chunk carrying it.
const OBJECTION = `---
id: "1144000000694016742440509001001"
title: 对不予法律援助决定和终止法律援助决定有异议的审查
department: 广东省司法厅
category: 行政给付
region: 广东省
updated: 2021-05-26
source: 广东政务服务网办事指南导出（gdzwfw），事项编码 1144000000694016742440509001001
---

## 受理条件
申请人对法律援助机构作出的不符合法律援助条件的通知有异议的，受援人对法律援助机构作出的终止法律援助决定有异议的。

## 申请材料
1. 异议审查申请书
2. 不予法律援助决定书
3. 终止法律援助决定书

## 办理时限
- 法定办结时限：5个工作日
- 承诺办结时限：5个工作日

## 办理地点和时间
- 办理地点：广东省广州市白云区政民路51号司法厅信访值班窗口

## 咨询电话
- 咨询电话：020-83588300
`;

describe('guide ranking', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'govchat-rank-'));
  let index: SearchIndex;
  beforeAll(async () => {
    const roots = [join(tmp, 'knowledge'), join(tmp, 'imported')];
    cpSync('knowledge', roots[0], { recursive: true });
    mkdirSync(join(roots[1], 'guides/广东省司法厅'), { recursive: true });
    writeFileSync(join(roots[1], 'guides/广东省司法厅/1144000000694016742440509001001.md'), OBJECTION);
    const tokenizer = createTokenizer(roots);
    ({ index } = await buildSearchIndex(loadKnowledgeBase(roots), tokenizer, new HashingEmbedder(tokenizer)));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('puts the guide the question names in full above a longer name that repeats its words', async () => {
    for (const q of ['法律援助', '法律援助申请', '法律援助怎么收费']) {
      const { guides } = await index.search(q);
      expect(guides[0].guideId, q).toBe('legal-aid');
      expect(guides[0].nameRecall, q).toBe(1);
      expect(guides.find((g) => g.guideId === '1144000000694016742440509001001')!.nameRecall, q).toBeLessThan(0.5);
    }
  });

  it('still finds the long-named guide when the question is about what only it covers', async () => {
    const { guides } = await index.search('不予法律援助决定有异议');
    expect(guides[0].guideId).toBe('1144000000694016742440509001001');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../dialogue/reply.js';
import { layoutMessage, layoutReply, layoutSingle, plain, splitUnits, utf8Bytes, WECHAT_TEXT_MAX_BYTES } from './layout.js';
import { wechatTexts } from './texts.js';

const PUBLIC = 'https://zwfw.example.gov.cn';

function reply(p: Partial<Reply>): Reply {
  return {
    sessionId: 's',
    messageId: 'm_1',
    type: 'answer',
    text: '',
    citations: [],
    intent: { name: 'ask', confidence: 0.9 },
    suggestions: [],
    form: null,
    handoff: null,
    blocks: [],
    ...p,
  };
}

const materials = reply({
  text: 'x',
  blocks: [
    { type: 'heading', text: '居民身份证补领 · 申请材料' },
    { type: 'list', ordered: false, items: ['居民户口簿原件', '本人近期免冠照片'] },
    { type: 'paragraph', text: '以上内容摘自「居民身份证补领」办事指南（更新于2025-03-01）。' },
  ],
  citations: [{ guideId: 'id-card-replacement', title: '居民身份证补领', section: 'materials', url: '/guides/id-card-replacement#materials' }],
  suggestions: ['多久能办好？', '要收费吗？'],
});

/** Units of a part, without its (i/n) marker. */
const body = (part: string) => part.replace(/^（\d+\/\d+）/, '');

describe('WeChat layout', () => {
  it('numbers list items, gives the guide link in full and the suggestions as 回复 1/2 choices', () => {
    const [text, ...rest] = layoutReply(materials, { publicUrl: PUBLIC });
    expect(rest).toEqual([]);
    expect(text).toBe(
      [
        '【居民身份证补领 · 申请材料】',
        '1. 居民户口簿原件',
        '2. 本人近期免冠照片',
        '以上内容摘自「居民身份证补领」办事指南（更新于2025-03-01）。',
        '查看完整办事指南：https://zwfw.example.gov.cn/guides/id-card-replacement#materials',
        '您可以回复数字继续：',
        '回复 1：多久能办好？',
        '回复 2：要收费吗？',
      ].join('\n'),
    );
  });

  it('keeps links under a PUBLIC_URL with a path', () => {
    const [text] = layoutReply(materials, { publicUrl: 'https://gov.example.cn/zhushou' });
    expect(text).toContain('https://gov.example.cn/zhushou/guides/id-card-replacement#materials');
  });

  it('sends nothing while staff hold the conversation (silent reply)', () => {
    expect(layoutReply(reply({ type: 'staff', text: '', blocks: [] }), { publicUrl: PUBLIC })).toEqual([]);
  });

  it('adds the place in the queue and wait when the text does not say it, once', () => {
    const waiting = reply({ type: 'handoff', text: '好的，正在为您转接。', handoff: { status: 'waiting', department: '公安', position: 3, etaSeconds: 480 }, suggestions: ['取消排队'] });
    const [text] = layoutReply(waiting, { publicUrl: PUBLIC });
    expect(text).toContain('您前面还有 2 位，预计等待约 8 分钟。');
    const said = reply({ ...waiting, text: '好的。您前面还有 2 位，预计等待约 8 分钟。' });
    expect(layoutReply(said, { publicUrl: PUBLIC })[0].match(/您前面还有/g)).toHaveLength(1);
  });

  it('gives the online link of a complete form once', () => {
    const form = reply({
      type: 'form',
      text: '必填信息已经齐了，请核对：',
      form: { formId: 'f', draftId: 'd', title: 't', fields: [], complete: true, confirmed: false, status: 'complete', url: 'https://zwfw.example.gov.cn/guides/residence-permit?draft=d' },
      suggestions: ['确认提交', '取消填写'],
    });
    const [text] = layoutReply(form, { publicUrl: PUBLIC });
    expect(text.match(/residence-permit\?draft=d/g)).toHaveLength(1);
    expect(text).toContain('回复 1：确认提交');
  });

  it('splits a long answer between list items, each part within 2,048 bytes and marked (i/n)', () => {
    const items = Array.from({ length: 40 }, (_, i) => `第${i + 1}项材料：居民户口簿原件一份，核验后当场退还；未满十六周岁的由监护人陪同。`);
    const long = reply({ blocks: [{ type: 'heading', text: '申请材料' }, { type: 'list', ordered: true, items }], citations: materials.citations, suggestions: ['要收费吗？'] });
    const parts = layoutReply(long, { publicUrl: PUBLIC });
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((p, i) => {
      expect(utf8Bytes(p)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
      expect(p.startsWith(`（${i + 1}/${parts.length}）`)).toBe(true);
    });
    // Every item whole, in one part, in order.
    const lines = parts.flatMap((p) => body(p).split('\n'));
    items.forEach((item, i) => expect(lines).toContain(`${i + 1}. ${item}`));
    expect(lines.filter((l) => /^\d+\. /.test(l)).map((l) => Number(l.split('.')[0]))).toEqual(items.map((_, i) => i + 1));
    expect(parts[parts.length - 1]).toContain('回复 1：要收费吗？');
  });

  it('cuts a single paragraph longer than a message between sentences, never inside a character', () => {
    const para = '办理居住证需要本人到场。'.repeat(300);
    const parts = splitUnits([para]);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(utf8Bytes(p)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
      expect(body(p).endsWith('。')).toBe(true);
      expect(p).not.toContain('\uFFFD');
    }
    expect(parts.map(body).join('')).toBe(para);
  });

  it('never leaves a heading at the end of a part', () => {
    const filler = 'x'.repeat(1000);
    const parts = splitUnits([filler, '【收费标准】', 'y'.repeat(1500)], 2048);
    expect(body(parts[0]).endsWith('【收费标准】')).toBe(false);
    expect(body(parts[1]).startsWith('【收费标准】')).toBe(true);
  });

  it('packs any units within the limit without losing or reordering them (property)', () => {
    const unit = fc.string({ unit: fc.constantFrom('办', '证', 'a', '1', '。', '；', ' ', '😀'), minLength: 1, maxLength: 1500 }).filter((s) => s.trim().length > 0);
    fc.assert(
      fc.property(fc.array(unit, { minLength: 1, maxLength: 12 }), fc.integer({ min: 120, max: 2048 }), (units, max) => {
        const parts = splitUnits(units, max);
        for (const p of parts) expect(utf8Bytes(p)).toBeLessThanOrEqual(max);
        const squash = (s: string) => s.replace(/\s+/g, '');
        expect(squash(parts.map(body).join(''))).toBe(squash(units.join('')));
      }),
      { numRuns: 200 },
    );
  });

  it('removes markup but keeps masked numbers intact', () => {
    expect(plain('**注意**：请带上 `身份证`，详见[办事指南](https://a.gov.cn/x)。<br>谢谢')).toBe('注意：请带上 身份证，详见办事指南（https://a.gov.cn/x）。\n谢谢');
    expect(plain('## 收费标准\n> 不收费')).toBe('收费标准\n不收费');
    expect(plain('公民身份号码：1101**********1233，电话 139****5678 和 1102**********5678')).toBe('公民身份号码：1101**********1233，电话 139****5678 和 1102**********5678');
    expect(plain('年龄<60岁且>16岁')).toBe('年龄<60岁且>16岁');
  });

  it('lays out a staff reply with who wrote it, and a notice as it is', () => {
    expect(layoutMessage({ role: 'staff', author: '王警官', text: '您好，外地丢失也可以补领。' }, { publicUrl: PUBLIC })).toEqual(['【人工服务·王警官】您好，外地丢失也可以补领。']);
    expect(layoutMessage({ role: 'system', author: null, text: '本次人工服务已结束。' }, { publicUrl: PUBLIC })).toEqual(['本次人工服务已结束。']);
    expect(layoutMessage({ role: 'system', author: null, text: '  ' }, { publicUrl: PUBLIC })).toEqual([]);
  });

  it('fits a long answer in one message with a pointer to the guide when only one can be sent', () => {
    const items = Array.from({ length: 40 }, (_, i) => `第${i + 1}项材料：居民户口簿原件一份，核验后当场退还。`);
    const long = reply({ blocks: [{ type: 'list', ordered: true, items }], citations: materials.citations });
    const one = layoutSingle(long, { publicUrl: PUBLIC }, wechatTexts.more)!;
    expect(utf8Bytes(one)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
    expect(one).toContain('1. 第1项材料');
    expect(one.endsWith('内容较长，完整内容请打开：https://zwfw.example.gov.cn/guides/id-card-replacement#materials')).toBe(true);
    expect(one).not.toMatch(/^（1\//);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markerIds, ReplyCleaner } from './clean.js';

const SAMPLES = [
  '您好！换领身份证的工本费是20元[id-card-renewal#fee]；损坏换领40元 [id-card-renewal#fee]。\n\n低保居民免收【id-card-renewal#fee】。',
  '## 需要带的材料\n- 原身份证（原件）[id-card-renewal#materials]\n- 户口簿（来源：id-card-renewal#materials）\n\n**注意**：电话0000-12345678（示例号码）[id-card-renewal#contact, id-card-renewal#faq-1]',
  '1. 预约 [a-b#process]\n2. 申请\n* 星号列表\n   \n结尾[a-b#process]   \n\n',
];

describe('the reply cleaner', () => {
  it('takes citation markers out and keeps their ids', () => {
    const r = ReplyCleaner.clean(SAMPLES[0]);
    expect(r.text).toBe('您好！换领身份证的工本费是20元；损坏换领40元。\n低保居民免收。');
    expect(r.ids).toEqual(['id-card-renewal#fee']);
  });

  it('drops Markdown, makes bullets plain, keeps ordinary brackets', () => {
    const r = ReplyCleaner.clean(SAMPLES[1]);
    expect(r.text).toBe('需要带的材料\n· 原身份证（原件）\n· 户口簿\n注意：电话0000-12345678（示例号码）');
    expect(r.ids).toEqual(['id-card-renewal#materials', 'id-card-renewal#contact', 'id-card-renewal#faq-1']);
  });

  it('reads marker insides', () => {
    expect(markerIds('id-card-renewal#fee, passport#time')).toEqual(['id-card-renewal#fee', 'passport#time']);
    expect(markerIds('来源：id-card-renewal#fee')).toEqual(['id-card-renewal#fee']);
    expect(markerIds('示例号码')).toBeNull();
  });

  it('streamed in any pieces, emits the same text, and what it emitted is always a prefix of the end result', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 80 }), (text, sizes) => {
        const whole = ReplyCleaner.clean(text).text;
        const c = new ReplyCleaner();
        let out = '';
        let at = 0;
        for (let i = 0; at < text.length; i++) {
          const n = sizes[i % sizes.length];
          out += c.push(text.slice(at, at + n));
          at += n;
          expect(whole.startsWith(out)).toBe(true);
          expect(/\s$/.test(out)).toBe(false);
        }
        out += c.end();
        expect(out).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });
});

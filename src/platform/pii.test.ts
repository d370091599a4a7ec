import { describe, expect, it } from 'vitest';
import { maskDeep, maskPII } from './pii.js';

describe('maskPII', () => {
  it('masks every kind of personal number and address, with or without separators', () => {
    const cases: [string, string][] = [
      ['身份证110105199003078938', '身份证1101**********8938'],
      ['老证110105900307893', '老证1101*******7893'],
      ['手机13912345678', '手机139****5678'],
      ['电话 +86 139-1234-5678', '电话 +86 139****5678'],
      ['座机010-87654321', '座机010-****4321'],
      ['卡号6222 0212 3456 7890', '卡号6222********7890'],
      ['邮箱zhang.san@example.com', '邮箱z***@example.com'],
    ];
    for (const [text, masked] of cases) expect(maskPII(text), text).toBe(masked);
  });

  it('leaves text with nothing to mask as it is: short numbers, dates, ids', () => {
    for (const text of ['POST', '/api/chat', '办理需要5个工作日，收费20元', '2026年12月2日', 'c_mfx2k9a1b']) expect(maskPII(text)).toBe(text);
  });

  it('masks the strings inside log fields, however deep', () => {
    expect(maskDeep({ a: ['手机13912345678'], b: { c: 'ok', d: ['邮箱zhang.san@example.com'] } })).toEqual({ a: ['手机139****5678'], b: { c: 'ok', d: ['邮箱z***@example.com'] } });
  });
});

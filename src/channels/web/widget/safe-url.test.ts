import { describe, expect, it } from 'vitest';
import { safeUrl, splitLinks } from './safe-url.js';

const base = 'https://assistant.example.gov.cn';

describe('safeUrl: only http(s) links and paths of the assistant itself', () => {
  it('resolves same-origin paths against the assistant origin, not the host page', () => {
    expect(safeUrl('/guides/id-card-renewal#fee', base)).toBe('https://assistant.example.gov.cn/guides/id-card-renewal#fee');
    expect(safeUrl('https://zwfw.example.gov.cn/guides/residence-permit?draft=d_1', base)).toBe('https://zwfw.example.gov.cn/guides/residence-permit?draft=d_1');
    expect(safeUrl('http://127.0.0.1:3000/x', base)).toBe('http://127.0.0.1:3000/x');
  });

  it('refuses everything a browser could run or that leaves for another host unseen', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '//evil.example/x',
      '/\\evil.example',
      'guides/relative',
      'https://user:pass@evil.example/',
      'ftp://files.example/',
      '',
      null,
      42,
    ]) {
      expect(safeUrl(bad, base), String(bad)).toBeNull();
    }
  });
});

describe('splitLinks', () => {
  it('finds http(s) links in Chinese text and leaves the punctuation around them', () => {
    expect(splitLinks('可在“示例市政务服务”网站（https://zwfw.example.gov.cn）办理。')).toEqual([
      { text: '可在“示例市政务服务”网站（' },
      { text: 'https://zwfw.example.gov.cn', href: 'https://zwfw.example.gov.cn' },
      { text: '）办理。' },
    ]);
    expect(splitLinks('see https://a.example/x?y=1. Then')).toEqual([{ text: 'see ' }, { text: 'https://a.example/x?y=1', href: 'https://a.example/x?y=1' }, { text: '. Then' }]);
    expect(splitLinks('没有链接')).toEqual([{ text: '没有链接' }]);
    expect(splitLinks('javascript:alert(1)')).toEqual([{ text: 'javascript:alert(1)' }]);
  });
});

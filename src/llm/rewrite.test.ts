import { describe, expect, it } from 'vitest';
import { parseLabel } from './intent.js';
import { tidyRewrite } from './rewrite.js';

describe('reading the model\'s short answers', () => {
  it('a rewrite: one line, without label or quotes; nonsense refused', () => {
    expect(tidyRewrite('改写：“居民身份证换领要多久”\n（补全了事项名称）')).toBe('居民身份证换领要多久');
    expect(tidyRewrite('  \n居民身份证换领老人可以代办吗')).toBe('居民身份证换领老人可以代办吗');
    expect(tidyRewrite('')).toBeNull();
    expect(tidyRewrite('ok')).toBeNull();
    expect(tidyRewrite('好'.repeat(100))).toBeNull();
  });

  it('an intent label', () => {
    expect(parseLabel('complaint')).toBe('complaint');
    expect(parseLabel('标签：Handoff')).toBe('handoff');
    expect(parseLabel('apply')).toBeNull();
    expect(parseLabel('投诉')).toBeNull();
  });
});

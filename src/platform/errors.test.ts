import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';

describe('AppError', () => {
  it('keeps no stack for a refusal, keeps one for a server error, and leaves the stack depth as it was', () => {
    const depth = Error.stackTraceLimit;
    const refused = new AppError(429, 'rate_limited', '请求太频繁了', { retryAfterSeconds: 3 }, { 'Retry-After': '3' });
    expect(refused.stack).not.toMatch(/\n\s+at /);
    expect(refused.toBody()).toEqual({ error: { code: 'rate_limited', message: '请求太频繁了', details: { retryAfterSeconds: 3 } } });
    expect([refused.status, refused.headers, refused instanceof Error]).toEqual([429, { 'Retry-After': '3' }, true]);
    expect(new AppError(503, 'unavailable', '稍后再试').stack).toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(depth);
    expect(new Error('x').stack).toMatch(/\n\s+at /);
  });
});

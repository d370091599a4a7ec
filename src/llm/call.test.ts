import { describe, expect, it } from 'vitest';
import { silentLogger } from '../platform/logger.js';
import { counterValue, llmFallbacks } from '../platform/metrics.js';
import { ModelCalls, Rejected, visibleText } from './call.js';

describe('model calls', () => {
  it('hides a reasoning model\'s <think> preamble, also while it streams', () => {
    expect(visibleText('<think>二十还是三十？</think>\n工本费20元')).toBe('\n工本费20元');
    expect(visibleText('<thi')).toBe('');
    expect(visibleText('<think>还在想')).toBe('');
    expect(visibleText('工本费20元')).toBe('工本费20元');
    expect(visibleText('<b>工本费</b>')).toBe('<b>工本费</b>');
  });

  it('ends a call at its deadline even when the work ignores the signal', async () => {
    const calls = new ModelCalls(silentLogger);
    const before = await counterValue(llmFallbacks, { task: 'rewrite', reason: 'timeout' });
    const r = await calls.run('rewrite', 50, 'c1', () => new Promise<string>(() => {}));
    expect(r).toMatchObject({ ok: false, outcome: 'timeout' });
    expect(await counterValue(llmFallbacks, { task: 'rewrite', reason: 'timeout' })).toBe(before + 1);
  });

  it('tells a refused output from a failure', async () => {
    const calls = new ModelCalls(silentLogger);
    expect(
      await calls.run('intent', 1000, 'c1', async () => {
        throw new Rejected('invalid', 'invalid');
      }),
    ).toMatchObject({ ok: false, outcome: 'invalid', reason: 'invalid' });
    expect(
      await calls.run('intent', 1000, 'c1', async () => {
        throw Object.assign(new Error('busy'), { status: 429 });
      }),
    ).toMatchObject({ ok: false, outcome: 'rate_limited', status: 429 });
    expect(await calls.run('intent', 1000, 'c1', async () => 'ask')).toMatchObject({ ok: true, value: 'ask' });
  });
});

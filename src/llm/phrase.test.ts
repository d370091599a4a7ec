import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../answer/answerer.js';
import { citation } from '../answer/compose.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { silentLogger } from '../platform/logger.js';
import { ModelCalls } from './call.js';
import { GroundedPhraser } from './phrase.js';
import { loadPrompts } from './prompts.js';

// Unit tests of the phraser with LangChain's fake chat model (no HTTP); the HTTP path is in
// test/integration/llm.test.ts against a real OpenAI-compatible server.
const kb = loadKnowledgeBase(['knowledge']);
const prompts = loadPrompts('prompts');
const guide = kb.byId.get('id-card-renewal')!;
const answer = {
  type: 'answer',
  text: '…',
  blocks: [],
  citations: [citation(guide, 'fee')],
  guideId: guide.id,
  aspect: 'fee',
  confidence: 1,
  suggestions: [],
  evidence: [],
  reason: 'test',
} satisfies AnswerResult;

function phraser(responses: string[], sleep?: number) {
  const model = new FakeListChatModel({ responses, sleep });
  return new GroundedPhraser({ model, prompts, kb: () => kb, calls: new ModelCalls(silentLogger), timeoutMs: 2000 });
}

describe('grounded phrasing (fake chat model)', () => {
  it('uses a reply that cites given sections and states their numbers, with structured citations', async () => {
    const r = await phraser(['您好，有效期满换领的工本费是20元[id-card-renewal#fee]。户籍地换领15个工作日可以办好[id-card-renewal#time]。']).phrase({ question: '换身份证要多少钱', answer, conversationId: 'c1' });
    expect(r?.phrased?.text).toBe('您好，有效期满换领的工本费是20元。户籍地换领15个工作日可以办好。\n以上内容依据「居民身份证换领」办事指南的收费标准、办理时限部分整理（更新于2025-03-01）。');
    expect(r?.phrased?.citations.map((c) => `${c.guideId}#${c.section} ${c.url}`)).toEqual(['id-card-renewal#fee /guides/id-card-renewal#fee', 'id-card-renewal#time /guides/id-card-renewal#time']);
    expect(r?.evidence).toMatchObject({ outcome: 'ok', check: { passed: true, numbers: 2 } });
  });

  it('puts the extractive answer\'s main section first among the citations', async () => {
    const r = await phraser(['换领时限是60日[id-card-renewal#time]，工本费20元[id-card-renewal#fee]。']).phrase({ question: '换身份证要多少钱', answer, conversationId: 'c1' });
    expect(r?.phrased?.citations.map((c) => c.section)).toEqual(['fee', 'time']);
  });

  it('gives no text for a reply that fails the check, and says why', async () => {
    const r = await phraser(['工本费是25元[id-card-renewal#fee]。']).phrase({ question: '换身份证要多少钱', answer, conversationId: 'c1' });
    expect(r?.phrased).toBeNull();
    expect(r?.evidence).toMatchObject({ outcome: 'rejected', reason: 'number_not_in_sections', check: { passed: false, detail: '25' } });
  });

  it('streams cleaned pieces, holding back a number until it is complete, and stops at the first wrong one', async () => {
    const pieces: string[] = [];
    const ok = await phraser(['工本费20元[id-card-renewal#fee]。']).phrase({ question: '要多少钱', answer, conversationId: 'c1', onToken: (t) => void pieces.push(t) });
    expect(ok?.phrased?.text.startsWith(pieces.join(''))).toBe(true);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.some((p) => /^\d$/.test(p))).toBe(false); // "2" alone never went out before "20" was complete

    const bad: string[] = [];
    const r = await phraser(['工本费是99元[id-card-renewal#fee]，其余的话很长很长很长很长很长。']).phrase({ question: '要多少钱', answer, conversationId: 'c1', onToken: (t) => void bad.push(t) });
    expect(r?.phrased).toBeNull();
    expect(bad.join('')).toBe('工本费是');
  });

  it('leaves out a reasoning model\'s thinking, streamed or not', async () => {
    const reply = '<think>用户问费用。是20元还是30元？看[id-card-renewal#fee]。</think>\n工本费是20元[id-card-renewal#fee]。';
    const pieces: string[] = [];
    const streamed = await phraser([reply]).phrase({ question: '要多少钱', answer, conversationId: 'c1', onToken: (t) => void pieces.push(t) });
    const whole = await phraser([reply]).phrase({ question: '要多少钱', answer, conversationId: 'c1' });
    for (const r of [streamed, whole]) expect(r?.phrased?.text.split('\n')[0]).toBe('工本费是20元。');
    expect(pieces.join('')).not.toContain('用户问');
  });

  it('gives up at the deadline', async () => {
    const slow = new GroundedPhraser({ model: new FakeListChatModel({ responses: ['工本费20元[id-card-renewal#fee]。'], sleep: 200 }), prompts, kb: () => kb, calls: new ModelCalls(silentLogger), timeoutMs: 100 });
    const r = await slow.phrase({ question: '要多少钱', answer, conversationId: 'c1', onToken: () => {} });
    expect(r?.evidence).toMatchObject({ outcome: 'timeout' });
  });
});

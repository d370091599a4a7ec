/**
 * The intent evaluation `npm run eval` prints, as a test: every labelled message through the
 * engine's classifier with the real retrieval signal (the knowledge base and its search index).
 * Fails under 0.9 overall, or when a request for a person is missed even once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKENIZER } from '../../src/search/library.js';
import { evalServices, readJsonl, runIntents, type IntentRow } from './harness.js';

type Services = Awaited<ReturnType<typeof evalServices>>;
let env: Services;
beforeAll(async () => {
  env = await evalServices(['knowledge'], DEFAULT_TOKENIZER, 'data/eval-index/1-words');
});
afterAll(async () => {
  await env?.dispose();
});

describe.each([
  ['test/eval/intents.jsonl', 200],
  ['test/eval/intents-holdout.jsonl', 50],
])('intents in %s', (file, atLeast) => {
  const rows = readJsonl<IntentRow>(file);

  it(`has at least ${atLeast} labelled messages, every intent represented`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(atLeast);
    expect(new Set(rows.map((r) => r.intent))).toEqual(new Set(['ask', 'apply', 'handoff', 'complaint', 'progress', 'smalltalk', 'out_of_scope']));
  });

  it('is classified with accuracy of at least 0.9, and no request for a person is missed', async () => {
    const r = await runIntents(env.services, rows);
    const handoffMisses = r.misses.filter((m) => m.startsWith('handoff ->'));
    expect(handoffMisses, 'handoff requests routed elsewhere').toEqual([]);
    expect(r.perIntent.handoff.accuracy).toBe(1);
    expect(r.accuracy, `misses:\n${r.misses.join('\n')}`).toBeGreaterThanOrEqual(0.9);
  });
});

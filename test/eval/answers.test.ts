/**
 * The evaluation as a test: the same harness and questions as `npm run eval`, through the same
 * dialogue engine as the API. The suite fails when answer quality drops below the bar.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { evalServices, readJsonl, runQuestions, type Question } from './harness.js';

const main = readJsonl<Question>('test/eval/questions.jsonl');
const imported = readJsonl<Question>('test/eval/imported.jsonl');
const tmp = mkdtempSync(join(tmpdir(), 'govchat-eval-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('answer quality on the main question set (42 guides)', () => {
  it('has the questions the issue asks for', () => {
    const answerable = main.filter((q) => q.expect === 'answer');
    expect(answerable.length).toBeGreaterThanOrEqual(150);
    expect(main.filter((q) => q.expect === 'no_answer').length).toBeGreaterThanOrEqual(20);
    expect(main.flatMap((q) => q.then ?? []).length).toBeGreaterThanOrEqual(20);
    expect(new Set(answerable.flatMap((q) => [q.guide, ...(q.guides ?? [])]).filter(Boolean)).size).toBeGreaterThanOrEqual(42);
  });

  it('ranks the right guide first ≥ 0.9, in the top 3 ≥ 0.97, and cites nothing for out-of-scope questions', async () => {
    const { services, dispose } = await evalServices(['knowledge'], undefined, join(tmp, 'main-index'));
    try {
      const m = await runQuestions(services, main);
      const misses = m.misses.join('\n');
      expect(m.hit1, misses).toBeGreaterThanOrEqual(0.9);
      expect(m.hit3, misses).toBeGreaterThanOrEqual(0.97);
      expect(m.falseAnswers, misses).toBe(0);
      expect(m.followupGuide, misses).toBeGreaterThanOrEqual(0.85);
    } finally {
      await dispose();
    }
  });
});

describe('answer quality with the 2,262 imported Guangdong guides', () => {
  it('puts the right imported guide in the top 3 for ≥ 0.8 of the imported-service questions', { timeout: 180_000 }, async () => {
    const dir = join(tmp, 'gdzwfw');
    const report = await importGdzwfwFile('../shared/data/gd-service-guides.jsonl', dir);
    expect(report.imported).toBe(2262);
    const { services, dispose } = await evalServices(['knowledge', dir], undefined, join(tmp, 'imported-index'));
    try {
      const m = await runQuestions(services, imported);
      expect(m.questions).toBeGreaterThanOrEqual(30);
      expect(m.hit3, m.misses.join('\n')).toBeGreaterThanOrEqual(0.8);
    } finally {
      await dispose();
    }
  });
});

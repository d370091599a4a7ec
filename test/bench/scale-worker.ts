/**
 * One build of the search index over a (synthetic) knowledge base, in its own process so that
 * its memory is its own: `node --import tsx test/bench/scale-worker.ts '<json>'` with
 * { roots, indexDir, queries, score? }. Builds and persists the index as the server does (Library.open
 * with nothing persisted yet), then times `queries` retrievals (Answerer.analyze, rotating the
 * eval's questions) and scores hit@1 of the main set's answerable first turns. Prints one JSON line.
 */
import { rmSync } from 'node:fs';
import { Answerer } from '../../src/answer/answerer.js';
import { Library } from '../../src/search/library.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { percentile } from './stats.js';

const { roots, indexDir, queries, score = true } = JSON.parse(process.argv[2]) as { roots: string[]; indexDir: string; queries: number; score?: boolean };
rmSync(indexDir, { recursive: true, force: true });
const t = performance.now();
const library = await Library.open({ roots, indexDir });
const buildMs = performance.now() - t;
const answerer = new Answerer(() => library.current, { minConfidence: 0.5 });
const main = readJsonl<Question>('test/eval/questions.jsonl').filter((q) => q.expect === 'answer' && (q.guide || q.guides?.length));
const asked = main.map((q) => q.q);
let hit1 = 0;
for (const q of score ? main : []) {
  const want = new Set([...(q.guide ? [q.guide] : []), ...(q.guides ?? [])]);
  const a = await answerer.analyze(q.q);
  if (a.result.guides[0] && want.has(a.result.guides[0].guideId)) hit1++;
}
const ms: number[] = [];
for (let i = 0; i < queries; i++) {
  const s = performance.now();
  await answerer.analyze(asked[i % asked.length]);
  ms.push(performance.now() - s);
}
console.log(
  JSON.stringify({
    guides: library.kb.guides.length,
    chunks: library.manifest.chunks,
    buildMs,
    indexMs: library.manifest.buildMs,
    maxRss: process.resourceUsage().maxRSS * 1024,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    hit1: score ? hit1 / main.length : null,
  }),
);

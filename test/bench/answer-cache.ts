/**
 * npm run bench:cache — what the answer cache (ANSWER_CACHE_SIZE) costs and saves, in one process on
 * the 42 guides: heap held per cached question (after a full GC, before and after caching every
 * distinct eval question) and the time of an answer worked out vs one from the cache. Run with
 * --expose-gc (the npm script does).
 */
import { Answerer } from '../../src/answer/answerer.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { sharedLibrary } from '../support/library.js';
import { machine, median } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:cache does)');
const library = await sharedLibrary();
const questions = [...new Set(readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q))];

async function timeAll(a: Answerer): Promise<number> {
  const t = performance.now();
  for (const q of questions) await a.answer(q);
  return ((performance.now() - t) / questions.length) * 1000;
}

const uncached = new Answerer(() => library.current, { minConfidence: 0.5 });
await timeAll(uncached); // warm-up
const cached = new Answerer(() => library.current, { minConfidence: 0.5, cacheSize: 2000 });
gc();
const before = process.memoryUsage().heapUsed;
await timeAll(cached); // fills the cache
gc();
const held = process.memoryUsage().heapUsed - before;
const worked: number[] = [];
const hits: number[] = [];
for (let r = 0; r < 5; r++) {
  worked.push(await timeAll(uncached));
  hits.push(await timeAll(cached));
}
console.log(`Answer cache — ${machine()}, 42 guides, ${questions.length} distinct eval questions\n`);
console.log('| heap held per cached question | all cached | answer worked out, µs (median of 5 passes) | from the cache, µs |');
console.log('|---|---|---|---|');
console.log(`| ${(held / questions.length / 1024).toFixed(1)} KiB | ${(held / 2 ** 20).toFixed(1)} MiB | ${median(worked).toFixed(0)} | ${median(hits).toFixed(1)} |`);

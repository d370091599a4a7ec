/**
 * npm run bench:search — index build time, index size on disk, server cold start to ready (from
 * the persisted index), and query latency p50/p99 in process, for the 42 guides and for the 42 +
 * 2,262 imported Guangdong guides. Each figure is the median of several runs with its spread.
 * `--quick` runs fewer repetitions (the CI smoke run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Answerer } from '../../src/answer/answerer.js';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { Library, defaultIndexDir } from '../../src/search/library.js';
import { indexSize } from '../../src/search/persist.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { coldStart } from './server.js';
import { machine, percentile, spread } from './stats.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;
const STARTS = quick ? 2 : 5;
const QUERIES = quick ? 500 : 3000;
const IMPORTED = 'data/imported/gdzwfw';

const questions = [...readJsonl<Question>('test/eval/questions.jsonl'), ...readJsonl<Question>('test/eval/imported.jsonl')].flatMap((q) => [q.q, ...(q.then ?? []).map((f) => f.q)]);

async function measure(name: string, roots: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-bench-search-'));
  try {
    const builds: number[] = [];
    let library!: Library;
    for (let i = 0; i < RUNS; i++) {
      rmSync(dir, { recursive: true, force: true });
      const t = performance.now();
      library = await Library.open({ roots, indexDir: defaultIndexDir(dir) });
      builds.push(performance.now() - t);
    }
    const size = indexSize(defaultIndexDir(dir));
    const env = { KNOWLEDGE_DIR: roots[0], KNOWLEDGE_EXTRA_DIRS: roots.slice(1).join(','), DATA_DIR: dir };
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) starts.push((await coldStart(env)).ms);

    const index = library.current;
    const answerer = new Answerer(() => library.current, { minConfidence: 0.5 });
    for (const q of questions.slice(0, 50)) await answerer.answer(q); // warm-up
    const search: number[] = [];
    const answer: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const q = questions[i % questions.length];
      let t = performance.now();
      await index.search(q, { limit: 10 });
      search.push(performance.now() - t);
      t = performance.now();
      await answerer.answer(q);
      answer.push(performance.now() - t);
    }
    return {
      name,
      guides: library.kb.guides.length,
      chunks: library.manifest.chunks,
      build: spread(builds.map((ms) => ms / 1000), 2),
      size: `${(size / 2 ** 20).toFixed(1)} MiB`,
      start: spread(starts.map((ms) => ms / 1000), 2),
      search: `${percentile(search, 50).toFixed(2)} / ${percentile(search, 99).toFixed(2)}`,
      answer: `${percentile(answer, 50).toFixed(2)} / ${percentile(answer, 99).toFixed(2)}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync('dist/main.js') || !process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if (!existsSync(`${IMPORTED}/.import.json`)) await importGdzwfwFile('../shared/data/gd-service-guides.jsonl', IMPORTED);
const rows = [await measure('42 guides', ['knowledge']), await measure('42 + 2,262 imported', ['knowledge', IMPORTED])];

console.log(`\nSearch benchmark — ${machine()}${quick ? ' (quick)' : ''}`);
console.log(`build: ${RUNS} run(s); cold start: ${STARTS} starts of node dist/main.js to the first 200 from /healthz; queries: ${QUERIES} in process, rotating ${questions.length} real questions\n`);
console.log('| knowledge base | guides | chunks | index build s | index on disk | cold start s | search ms p50 / p99 | whole answer ms p50 / p99 |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.guides} | ${r.chunks} | ${r.build} | ${r.size} | ${r.start} | ${r.search} | ${r.answer} |`);
console.log('\nTargets: search p99 < 2 ms (42 guides), < 10 ms (2,300 guides); cold start < 1.5 s from the persisted index. Figures are medians (lowest–highest).');


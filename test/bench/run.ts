/**
 * npm run bench — the whole benchmark suite, one combined report (markdown) printed and written
 * to reports/bench.md:
 *   1. retrieval against Orama, MiniSearch and LangChain's memory vector store (retrieval.ts);
 *   2. HTTP: POST /api/chat against a bare Hono route, autocannon (http.ts);
 *   3. handoff through Redis: request → staff notified, listing 1,000 waiting (handoff.ts);
 *   4. scale: 10k and 100k chunks — build, size, memory, cold start, query p99 (scale.ts).
 * `--smoke` (about 20 s on a quiet 2-core machine; for CI): every part on small sizes, to show it
 * runs. The exit code is non-zero only when something crashes, never for a missed target.
 * Figures depend on what else the machine does: the load average is printed at start and end.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { benchHandoff, HANDOFF_FULL, HANDOFF_SMOKE, type HandoffFigures, type HandoffSizes } from './handoff.js';
import { benchHttp } from './http.js';
import { benchRetrieval, ensureImported } from './retrieval.js';
import { benchScale, SCALE_FULL, SCALE_SMOKE } from './scale.js';
import { machine, median, spread } from './stats.js';

const smoke = process.argv.includes('--smoke');
const started = performance.now();
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const log = (s: string) => console.error(s);

export function handoffMarkdown(rows: HandoffFigures[], sizes: HandoffSizes): string {
  const f = (xs: number[]) => spread(xs, 1);
  return [
    `${sizes.runs} run(s) × ${sizes.perRun} sequential handoffs (request on one instance → the staff SSE event on another, both on Redis; the in-memory backend on one instance for comparison); listing ${sizes.listN.toLocaleString('en')} waiting conversations, ${sizes.listRuns} runs.`,
    '',
    `| backend | request → staff notified ms p50 | p99 | list ${sizes.listN.toLocaleString('en')}: GET /api/staff/queue ms | service.list ms | p99 < 50 ms | list < 50 ms |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.backend === 'redis' ? 'Redis (two instances)' : 'in memory (one instance)'} | ${f(r.p50s)} | ${f(r.p99s)} | ${f(r.listHttp)} | ${f(r.listDirect)} | ${median(r.p99s) < 50 ? 'met' : 'NOT met'} | ${median(r.listHttp) < 50 ? 'met' : 'NOT met'} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = load();
  log(`govchat benchmark suite${smoke ? ' (smoke)' : ''}: ${machine()}, load average ${loadAtStart}`);
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!smoke) await ensureImported();
  const sections: string[] = [];

  let t = performance.now();
  log('1. retrieval against peers');
  const retrieval = await benchRetrieval({ smoke, log });
  sections.push(`## 1. Retrieval against peer libraries (${elapsed(t)})\n\n${retrieval.markdown}`);

  t = performance.now();
  log('2. HTTP: /api/chat against a bare Hono route');
  const http = await benchHttp({ smoke, log });
  sections.push(`## 2. HTTP against the framework's ceiling (${elapsed(t)})\n\n${http.markdown}`);

  t = performance.now();
  log('3. handoff through Redis');
  const sizes = smoke ? HANDOFF_SMOKE : HANDOFF_FULL;
  const handoff = await benchHandoff(sizes, (l) => log(`  ${l}`));
  sections.push(`## 3. Handoff (${elapsed(t)})\n\n${handoffMarkdown(handoff.rows, sizes)}`);

  t = performance.now();
  log('4. scale');
  const scale = await benchScale({ sizes: smoke ? SCALE_SMOKE : SCALE_FULL, log });
  sections.push(`## 4. Scale: cost as the knowledge base grows (${elapsed(t)})\n\n${scale.markdown}`);

  const report = [
    `# govchat benchmarks${smoke ? ' (smoke run: small sizes, figures not for comparison)' : ''}`,
    '',
    `${machine()}. Load average ${loadAtStart} at start, ${load()} at end; the whole suite took ${elapsed(started)}. Figures are medians of several runs (lowest–highest) unless a table says one run; a machine doing other work makes them pessimistic.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  mkdirSync('reports', { recursive: true });
  writeFileSync(smoke ? 'reports/bench-smoke.md' : 'reports/bench.md', report);
  console.log(report);
  log(`written to ${smoke ? 'reports/bench-smoke.md' : 'reports/bench.md'}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

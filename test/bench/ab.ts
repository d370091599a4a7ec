/**
 * npm run bench:ab -- [--base REV] [--route chat|refused|hello] [--rounds N] [--seconds S]
 *
 * Is a change faster? The checkout as it is (uncommitted changes included) against a git
 * revision (default HEAD), side by side: both bench servers (test/bench/http-server.ts) are
 * bundled, the base in a temporary worktree, and take turns, the order turning each round, each
 * run a fresh server with a fresh SQLite file and the same persisted index, warmed up for 3 s,
 * then autocannon as in bench:http (32 connections). On a shared machine two runs a few minutes
 * apart differ by more than most changes do; runs taking turns within the same minutes do not.
 * Prints each side's requests/s and p99 (medians with their range) and this ÷ base per round,
 * and the CPU time of each request: on the server's main thread (the event loop, what bounds one
 * instance) and in the whole process (its worker threads too). The load generator shares this
 * machine's two cores: work moved off the event loop competes with it, so requests/s understates
 * what such a change gives a server that has its cores to itself; CPU per request does not.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readJsonl, type Question } from '../eval/harness.js';
import { bundleHttpServer, measured, run, startBenchServer } from './http.js';
import { machine, median, spread } from './stats.js';

const { values: args } = parseArgs({
  options: { base: { type: 'string', default: 'HEAD' }, route: { type: 'string', default: 'chat' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } },
});
const route = args.route!;
if (!['chat', 'refused', 'hello'].includes(route)) throw new Error(`--route is chat, refused or hello, not ${route}`);
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const questions = route === 'refused' ? [''] : readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q);

const revision = execFileSync('git', ['rev-parse', '--short', args.base!], { encoding: 'utf8' }).trim();
const worktree = mkdtempSync(join(tmpdir(), 'govchat-ab-'));
execFileSync('git', ['worktree', 'add', '--detach', '--force', worktree, revision], { stdio: 'ignore' });
const sides = [
  { name: `base ${revision}`, entry: join(worktree, 'dist/bench/http-server.js') },
  { name: 'this checkout', entry: resolve('dist/bench/http-server.js') },
];
const results = sides.map(() => ({ rps: [] as number[], p99: [] as number[], mainUs: [] as number[], processUs: [] as number[] }));

const ratio: number[] = [];
try {
  // The base resolves its packages from this checkout's node_modules (the lockfile's, as of now).
  symlinkSync(resolve('node_modules'), join(worktree, 'node_modules'), 'dir');
  await Promise.all([bundleHttpServer(worktree), bundleHttpServer()]);
  for (let r = 0; r < rounds; r++) {
    const rps: number[] = [];
    for (const i of r % 2 ? [1, 0] : [0, 1]) {
      const server = await startBenchServer(sides[i].entry);
      try {
        const url = route === 'hello' ? server.helloUrl : `${server.url}/api/chat`;
        await run(url, 3, questions);
        const res = await measured(server.child.pid!, url, seconds, questions);
        if (res.errors || (route !== 'refused' && res.non2xx)) throw new Error(`${sides[i].name}: ${res.errors} errors, ${res.non2xx} non-2xx`);
        results[i].rps.push(res.rps);
        results[i].p99.push(res.p99);
        rps[i] = res.rps;
        results[i].mainUs.push(res.mainUs);
        results[i].processUs.push(res.processUs);
        console.error(`  round ${r + 1}/${rounds}: ${sides[i].name} ${res.rps.toFixed(0)} req/s, p99 ${res.p99} ms, CPU ${res.mainUs.toFixed(0)} µs a request on the main thread (${res.processUs.toFixed(0)} µs in all)`);
      } finally {
        await server.stop();
      }
    }
    ratio.push(rps[1] / rps[0]);
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { stdio: 'ignore' });
  rmSync(worktree, { recursive: true, force: true });
}
console.log(`\n## A/B, POST ${route === 'hello' ? '/hello' : '/api/chat'}${route === 'refused' ? ' (refused)' : ''} — ${machine()}\n`);
console.log(`${rounds} round(s) of ${seconds} s per side, taking turns; a fresh server each run.\n`);
console.log('| build | requests/s | latency ms p99 | main thread CPU µs a request | process CPU µs a request |\n|---|---|---|---|---|');
sides.forEach((s, i) => console.log(`| ${s.name} | ${spread(results[i].rps, 0)} | ${spread(results[i].p99, 0)} | ${spread(results[i].mainUs, 0)} | ${spread(results[i].processUs, 0)} |`));
const mainRatio = median(results[1].mainUs) / median(results[0].mainUs);
console.log(`\nthis ÷ base requests/s, per round: **${spread(ratio, 2)}** (${median(ratio) >= 1 ? '+' : ''}${((median(ratio) - 1) * 100).toFixed(0)} %); main-thread CPU a request, this ÷ base: **${mainRatio.toFixed(2)}**`);

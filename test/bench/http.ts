/**
 * npm run bench:http — POST /api/chat against the framework's ceiling, with autocannon.
 *
 * One server process (test/bench/http-server.ts, bundled with esbuild as scripts/build.mjs bundles
 * dist/main.js) serves the real govchat app with the embedded defaults (no Redis, no language
 * model, the hashing embedder, SQLite in a temporary DATA_DIR, LOG_LEVEL info with the log going
 * nowhere) and, on a second port, a bare Hono app with POST /hello. Same process, bundle, Node and
 * @hono/node-server, so the only difference is what the request does; the idle server costs the
 * other nothing. Mounting /hello inside govchat's app would have measured govchat's middleware
 * (request id, logging, CORS) as the "ceiling"; a second process would have had its own heap and JIT.
 *
 * All get the same requests: POST with {"message": q}, q turning through the first turns of
 * test/eval/questions.jsonl in file order, no sessionId (every request is a citizen's first
 * message: a fresh conversation is created and stored, the heaviest first-turn path). Rate limits
 * raised for the run (RATE_LIMIT_*_PER_MIN=1000000). A fourth route is chat refused before the
 * turn (an empty message: every middleware, parsing and validation, the 400 reply), to tell
 * govchat's request handling from its turn. 32 connections; hello, refused, chat and chat with
 * the answer cache off take turns in rounds of the same duration, the order turning each round;
 * the ratios are taken per round. The rotation is a few hundred questions, so after its first pass
 * the served chat answers every question from the cache (its retrieval and answer; the
 * conversation, both messages and the session are still written): that is the figure for questions
 * citizens ask again and again; the uncached one is the figure for a question never asked before.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { build } from 'esbuild';
import { readJsonl, type Question } from '../eval/harness.js';
import { sharedLibrary } from '../support/library.js';
import { cpuOf, freePort, startServer, type Started } from './server.js';
import { isMain, machine, median, spread } from './stats.js';

export const CONNECTIONS = 32;
const ENTRY = 'dist/bench/http-server.js';

/** The bench server, bundled with the options of scripts/build.mjs (from another checkout with `cwd`: bench:ab). */
export async function bundleHttpServer(cwd = process.cwd()): Promise<void> {
  await build({
    absWorkingDir: cwd,
    entryPoints: { 'http-server': 'test/bench/http-server.ts' },
    outdir: 'dist/bench',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    logLevel: 'warning',
  });
}

export interface HttpRun {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The server's main thread (its event loop): CPU µs a request, and the share of the run it was busy. */
  mainUs: number;
  mainBusy: number;
  /** The whole server process (its worker threads too): CPU µs a request. */
  processUs: number;
}

export interface BenchServer extends Started {
  /** The bare Hono route of the same process. */
  helloUrl: string;
}

/**
 * A bundled bench server (ENTRY, or another checkout's: bench:ab) on a fresh DATA_DIR: the index
 * persisted for the tests copied in (data/index, built once, saves the server building its own),
 * LOG_LEVEL info with the log going nowhere, rate limits raised for the run. `stop` removes the dir.
 */
export async function startBenchServer(entry: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-bench-http-'));
  try {
    await sharedLibrary();
    cpSync('data/index', join(dir, 'index'), { recursive: true });
    const helloPort = await freePort();
    const server = await startServer(entry, {
      DATA_DIR: dir,
      KNOWLEDGE_DIR: 'knowledge',
      LOG_LEVEL: 'info',
      HELLO_PORT: String(helloPort),
      RATE_LIMIT_IP_PER_MIN: '1000000',
      RATE_LIMIT_SESSION_PER_MIN: '1000000',
      ...env,
    });
    return {
      ...server,
      helloUrl: `http://127.0.0.1:${helloPort}/hello`,
      stop: () => server.stop().finally(() => rmSync(dir, { recursive: true, force: true })),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The empty message of the refused route: a 400 after every middleware, the body parsed and validated. */
const EMPTY = [''];

/** `seconds` of POSTs with {"message": q}, q turning through `questions`, from CONNECTIONS connections. */
export function run(url: string, seconds: number, questions: string[]): Promise<Result> {
  let i = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ message: questions[i++ % questions.length] }) }),
      },
    ],
  });
}

/** One timed run against a route, with the server's CPU over it (Linux /proc); bench:ab uses it too. */
export async function measured(pid: number, url: string, seconds: number, messages: string[]): Promise<HttpRun> {
  const before = cpuOf(pid);
  const started = performance.now();
  const r = await run(url, seconds, messages);
  const after = cpuOf(pid);
  const wall = (performance.now() - started) / 1000;
  const main = after.main - before.main;
  const perRequest = (cpu: number) => (cpu / r.requests.total) * 1e6;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, mainUs: perRequest(main), mainBusy: main / wall, processUs: perRequest(after.process - before.process) };
}

type Route = 'hello' | 'refused' | 'chat' | 'uncached';
const ROUTES: Route[] = ['hello', 'refused', 'chat', 'uncached'];

export interface HttpResult {
  hello: HttpRun[];
  /** POST /api/chat with an empty message: govchat's middleware, parsing and validation, no turn. */
  refused: HttpRun[];
  chat: HttpRun[];
  uncached: HttpRun[];
  ratio: number[];
  uncachedRatio: number[];
  refusedRatio: number[];
  /** Hello's main-thread CPU a request ÷ chat's: the requests/s ratio if the server's event loop set both rates. */
  cpuRatio: number[];
  seconds: number;
  rounds: number;
  rssAfter: number;
  markdown: string;
}

export async function benchHttp(o: { smoke?: boolean; log?: (s: string) => void } = {}): Promise<HttpResult> {
  const log = o.log ?? ((s: string) => console.error(s));
  const seconds = o.smoke ? 2 : 10;
  const rounds = o.smoke ? 1 : 3;
  const questions = readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q);
  await bundleHttpServer();
  const uncachedPort = await freePort();
  const server = await startBenchServer(ENTRY, { UNCACHED_PORT: String(uncachedPort) });
  const hello = server.helloUrl;
  const url: Record<Route, string> = { hello, refused: `${server.url}/api/chat`, chat: `${server.url}/api/chat`, uncached: `http://127.0.0.1:${uncachedPort}/api/chat` };
  const messages = (which: Route) => (which === 'refused' ? EMPTY : questions);
  try {
    // Both answer as expected before anything is timed.
    const h = await fetch(hello, { method: 'POST', body: '{}' });
    if ((await h.text()) !== 'hello') throw new Error('the hello route did not answer hello');
    const refused = await fetch(url.refused, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '' }) });
    if (refused.status !== 400) throw new Error(`an empty message was answered ${refused.status}, not 400`);
    for (const chat of [url.chat, url.uncached]) {
      const c = await fetch(chat, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: questions[0] }) });
      const body = (await c.json()) as { type?: string };
      if (c.status !== 200 || !body.type) throw new Error(`POST ${chat} answered ${c.status}: ${JSON.stringify(body)}`);
    }
    log(`  http: server ready in ${(server.readyMs / 1000).toFixed(1)} s`);
    if (!o.smoke) {
      await run(url.hello, 1, questions);
      await run(url.refused, 1, EMPTY);
      await run(url.chat, 3, questions);
      await run(url.uncached, 3, questions);
    }
    const res: Pick<HttpResult, Route | 'ratio' | 'uncachedRatio' | 'refusedRatio' | 'cpuRatio'> = { hello: [], refused: [], chat: [], uncached: [], ratio: [], uncachedRatio: [], refusedRatio: [], cpuRatio: [] };
    for (let r = 0; r < rounds; r++) {
      const round: Partial<Record<Route, HttpRun>> = {};
      const order = [...ROUTES.slice(r % ROUTES.length), ...ROUTES.slice(0, r % ROUTES.length)];
      for (const which of order) {
        round[which] = await measured(server.child.pid!, url[which], seconds, messages(which));
        log(`  http round ${r + 1}/${rounds}: ${which} ${round[which]!.rps.toFixed(0)} req/s, p99 ${round[which]!.p99} ms, main thread ${round[which]!.mainUs.toFixed(0)} µs a request, busy ${(round[which]!.mainBusy * 100).toFixed(0)} %`);
      }
      for (const which of ROUTES) res[which].push(round[which]!);
      res.ratio.push(round.chat!.rps / round.hello!.rps);
      res.uncachedRatio.push(round.uncached!.rps / round.hello!.rps);
      res.refusedRatio.push(round.refused!.rps / round.hello!.rps);
      res.cpuRatio.push(round.hello!.mainUs / round.chat!.mainUs);
    }
    const rssAfter = server.rss();
    return { ...res, seconds, rounds, rssAfter, markdown: httpMarkdown({ ...res, seconds, rounds, rssAfter }) };
  } finally {
    await server.stop();
  }
}

export function httpMarkdown(r: Omit<HttpResult, 'markdown'>): string {
  const row = (name: string, runs: HttpRun[]) =>
    `| ${name} | ${spread(runs.map((x) => x.rps), 0)} | ${spread(runs.map((x) => x.p50), 0)} | ${spread(runs.map((x) => x.p99), 0)} | ${spread(runs.map((x) => x.mainUs), 0)} | ${spread(runs.map((x) => x.mainBusy * 100), 0)} | ${runs.reduce((s, x) => s + x.non2xx, 0)} / ${runs.reduce((s, x) => s + x.errors, 0)} |`;
  const ratio = median(r.ratio);
  const p99 = median(r.chat.map((x) => x.p99));
  return [
    `autocannon, ${CONNECTIONS} connections, ${r.rounds} round(s) of ${r.seconds} s each, the four routes taking turns; fresh conversation per request, rotating the first turns of test/eval/questions.jsonl — after the first pass the served chat answers them from its answer cache, the uncached one works each out again. The refused route is the same POST /api/chat with an empty message: every middleware, the body parsed and validated, the 400 error reply (an exception, so a little dearer than a success) — all of a request but the turn.`,
    '',
    '| route | requests/s | latency ms p50 | latency ms p99 | server main thread CPU µs a request | main thread busy % | non-2xx / errors |',
    '|---|---|---|---|---|---|---|',
    row('bare Hono `POST /hello` (same process and build)', r.hello),
    row('govchat `POST /api/chat` refused before the turn (empty message → 400, as meant)', r.refused),
    row('govchat `POST /api/chat` (served: answer cache on)', r.chat),
    row('govchat `POST /api/chat`, `ANSWER_CACHE_SIZE=0`', r.uncached),
    '',
    `chat ÷ hello requests/s: **${spread(r.ratio, 2)}** (target ≥ 0.3: ${ratio >= 0.3 ? 'met' : 'NOT met'}); chat p99 **${p99} ms** (target < 25 ms: ${p99 < 25 ? 'met' : 'NOT met'}). Uncached ÷ hello: ${spread(r.uncachedRatio, 3)}. Refused ÷ hello: ${spread(r.refusedRatio, 2)} — what govchat's middleware and validation leave of the ceiling; the turn itself (conversation, two messages and the session written, the reply) is the rest. By the server's own work: hello's main-thread CPU a request ÷ chat's ${spread(r.cpuRatio, 2)}, the requests/s ratio if the server's event loop set both rates (a main thread busy well under 100 % means the load generator, sharing the cores, set that route's rate instead). Server RSS after the run: ${(r.rssAfter / 2 ** 20).toFixed(0)} MiB.`,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const smoke = process.argv.includes('--smoke');
  const r = await benchHttp({ smoke });
  console.log(`\n## HTTP against the framework's ceiling — ${machine()}${smoke ? ' (smoke)' : ''}\n\n${r.markdown}`);
}

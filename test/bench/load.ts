/**
 * npm run load — load and the rate limiter under load (issue 11). Not part of npm test.
 *
 * 1. Chat under load: 50 connections for 30 s of POST /api/chat (first turns of
 *    test/eval/questions.jsonl, each a new conversation), against LOAD_URL when given, else
 *    against the built server (test/bench/http-server.ts bundled like dist/main.js) with rate
 *    limits raised. Prints requests/s, latency p50/p99, errors; fails on any error or non-2xx.
 * 2. The per-address limit holding its number exactly under load: servers started with
 *    RATE_LIMIT_IP_PER_MIN=LOAD_LIMIT (default 500), hammered from one address with 50
 *    connections for 10 s (well inside the minute): exactly LOAD_LIMIT answers 200, the rest 429.
 *    Once in memory (one instance), once with Redis (two instances sharing it, 25 connections
 *    each: the limit holds across instances) when Redis answers at LOAD_REDIS_URL or 127.0.0.1:6379.
 *
 * Env: LOAD_URL, LOAD_SECONDS (30), LOAD_CONNECTIONS (50), LOAD_LIMIT (500), LOAD_LIMIT_SECONDS (10, under 60), LOAD_REDIS_URL.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { defaultIndexDir } from '../../src/search/library.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { sharedLibrary } from '../support/library.js';
import { bundleHttpServer } from './http.js';
import { freePort, startServer, type Started } from './server.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const LIMIT = Number(process.env.LOAD_LIMIT ?? 500);
const LIMIT_SECONDS = Number(process.env.LOAD_LIMIT_SECONDS ?? 10);
const ENTRY = 'dist/bench/http-server.js';

const dirs: string[] = [];
const servers: Started[] = [];

async function dataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-load-'));
  dirs.push(dir);
  await sharedLibrary(); // makes sure data/index exists
  cpSync(defaultIndexDir('data'), defaultIndexDir(dir), { recursive: true });
  return dir;
}

async function server(env: Record<string, string>): Promise<Started> {
  const s = await startServer(ENTRY, { DATA_DIR: await dataDir(), HELLO_PORT: String(await freePort()), LOG_LEVEL: 'warn', ...env });
  servers.push(s);
  return s;
}

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.connect(Number(u.port || 6379), u.hostname, () => done(true));
  });
}

const count = (r: Result, status: number) => r.statusCodeStats?.[String(status)]?.count ?? 0;

async function chatLoad(url: string, questions: string[]): Promise<boolean> {
  let i = 0;
  const r = await autocannon({
    url: `${url}/api/chat`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ message: questions[i++ % questions.length] }) }) }],
  });
  console.log(`chat: ${CONNECTIONS} connections, ${SECONDS} s: ${r.requests.total} requests, ${r.requests.average.toFixed(0)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`);
  return r.errors === 0 && r.timeouts === 0 && r.non2xx === 0;
}

/** Hammers GET /api/guides/:id on the given servers at once; the 200s summed must be LIMIT exactly. */
async function limiterLoad(name: string, urls: string[]): Promise<boolean> {
  const per = Math.max(1, Math.floor(CONNECTIONS / urls.length));
  const results = await Promise.all(urls.map((url) => autocannon({ url: `${url}/api/guides/id-card-renewal`, connections: per, duration: LIMIT_SECONDS })));
  const ok = results.reduce((s, r) => s + count(r, 200), 0);
  const limited = results.reduce((s, r) => s + count(r, 429), 0);
  const other = results.reduce((s, r) => s + r.requests.total, 0) - ok - limited;
  const errors = results.reduce((s, r) => s + r.errors + r.timeouts, 0);
  const exact = ok === LIMIT && other === 0 && errors === 0;
  console.log(`limiter (${name}): ${urls.length} instance(s), ${per * urls.length} connections, ${LIMIT_SECONDS} s, limit ${LIMIT}/min from one address: ${ok} answered 200, ${limited} answered 429, ${other} other, ${errors} errors — ${exact ? 'exact' : 'NOT EXACT'}`);
  return exact;
}

async function main(): Promise<number> {
  const questions = readJsonl<Question>('test/eval/questions.jsonl').map((q) => q.q);
  if (!questions.length) throw new Error('no questions in test/eval/questions.jsonl');
  let pass = true;
  // The limiter phase needs servers with a known limit, so the server is built even with LOAD_URL.
  await bundleHttpServer();
  const target = process.env.LOAD_URL ?? (await server({ RATE_LIMIT_IP_PER_MIN: '1000000', RATE_LIMIT_SESSION_PER_MIN: '1000000' })).url;
  pass = (await chatLoad(target, questions)) && pass;

  {
    const memory = await server({ RATE_LIMIT_IP_PER_MIN: String(LIMIT) });
    pass = (await limiterLoad('memory', [memory.url])) && pass;
    const redisUrl = process.env.LOAD_REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (await reachable(redisUrl)) {
      const prefix = `load_${Date.now().toString(36)}`;
      const env = { RATE_LIMIT_IP_PER_MIN: String(LIMIT), REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
      const a = await server(env);
      const b = await server(env);
      pass = (await limiterLoad('redis', [a.url, b.url])) && pass;
      const r = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await r.unlink(...keys);
      } while (cursor !== '0');
      r.disconnect();
    } else console.log(`limiter (redis): skipped, no Redis at ${redisUrl}`);
  }
  console.log(pass ? 'load: PASS' : 'load: FAIL');
  return pass ? 0 : 1;
}

main()
  .then(
    (code) => code,
    (e: unknown) => {
      console.error(e);
      return 1;
    },
  )
  .then(async (code) => {
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    process.exit(code);
  });

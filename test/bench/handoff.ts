/**
 * npm run bench:handoff — handoff speed, on the real Redis (REDIS_URL or 127.0.0.1:6379, a
 * unique key prefix, cleaned up after) and an SQLite record store, compared with the in-memory
 * backend:
 *
 *  1. request-to-staff-notified latency: from the handoff request (database row, BullMQ job,
 *     pub/sub event) to the staff member's SSE event arriving on ANOTHER instance's HTTP server.
 *     p50 and p99 over 100 sequential handoffs; 5 runs; median run and spread printed.
 *  2. the time to list 1,000 waiting conversations: GET /api/staff/queue over HTTP (auth, JSON)
 *     and the service call alone; 15 runs each, median and spread.
 *
 * Targets: under 50 ms p99 and under 50 ms.
 */
import { cpus, loadavg } from 'node:os';
import { isMain } from './stats.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/platform/logger.js';
import { chat, sharedLibrary, startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { principal, staffHeaders } from '../support/staff.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { openSSE } from '../support/sse.js';

/** Sizes of the run; the suite's smoke run makes them small. */
export interface HandoffSizes {
  runs: number;
  perRun: number;
  listN: number;
  listRuns: number;
}
export const HANDOFF_FULL: HandoffSizes = { runs: 5, perRun: 100, listN: 1000, listRuns: 15 };
export const HANDOFF_SMOKE: HandoffSizes = { runs: 1, perRun: 10, listN: 100, listRuns: 3 };
let RUNS = HANDOFF_FULL.runs;
let PER_RUN = HANDOFF_FULL.perRun;
let LIST_N = HANDOFF_FULL.listN;
let LIST_RUNS = HANDOFF_FULL.listRuns;
let say: (line: string) => void = (line) => console.log(line);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const median = (xs: number[]) => pct(xs, 50);
const f = (x: number) => x.toFixed(1);
const spread = (xs: number[]) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;

async function newConversations(gov: Govchat, n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await gov.services.records.openConversation(`bench-${tag}-${i}-${Math.random().toString(36).slice(2)}xxxxxxxx`, 'web')).id);
  return ids;
}

async function latency(label: string, citizenSide: Govchat, staffSide: Govchat) {
  const headers = await staffHeaders(staffSide.url, 'admin');
  const sse = await openSSE(`${staffSide.url}/api/staff/events`, headers);
  await sse.next((e) => e.event === 'ready');
  const p50s: number[] = [];
  const p99s: number[] = [];
  // Warm-up: scripts loaded, connections open, JIT warm.
  for (const id of await newConversations(citizenSide, 20, 'warm')) {
    await citizenSide.services.handoff.service.requestFor(id, 'handoff', '转人工');
    await sse.next((e) => e.event === 'queue' && e.data.includes(id));
  }
  for (let run = 0; run < RUNS; run++) {
    const ids = await newConversations(citizenSide, PER_RUN, `r${run}`);
    const ms: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      await citizenSide.services.handoff.service.requestFor(id, 'handoff', '转人工');
      const e = await sse.next((e) => e.event === 'queue' && e.data.includes(`"conversationId":"${id}"`) && e.data.includes('"added"'), 10_000);
      ms.push(e.at - t0);
    }
    p50s.push(median(ms));
    p99s.push(pct(ms, 99));
  }
  sse.close();
  say(`${label}  request → staff notified (other instance, SSE)  p50 ${f(median(p50s))} ms (runs ${spread(p50s)})   p99 ${f(median(p99s))} ms (runs ${spread(p99s)})   [${RUNS} runs × ${PER_RUN}]`);
  return { p50s, p99s };
}

async function listing(label: string, gov: Govchat) {
  // 1,000 waiting conversations in one department's queue (through the real request path).
  const ids = await newConversations(gov, LIST_N, 'list');
  const a = await chat(gov.app, '身份证丢了怎么补办');
  const guideConv = (await gov.services.records.conversationBySession(a.sessionId))!;
  const state = guideConv.state;
  for (const id of ids) {
    await gov.services.records.updateConversation(id, { state, guide_id: guideConv.guide_id });
    await gov.services.handoff.service.requestFor(id, 'handoff', '转人工');
  }
  await gov.services.handoff.service.settled();
  const headers = await staffHeaders(gov.url, 'police');
  const url = `${gov.url}/api/staff/queue?department=${encodeURIComponent('公安')}`;
  const http: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < LIST_RUNS + 2; i++) {
    let t = performance.now();
    const res = await fetch(url, { headers });
    const body = (await res.json()) as { items: unknown[] };
    const ms = performance.now() - t;
    if (body.items.length < LIST_N) throw new Error(`listed ${body.items.length}, expected ${LIST_N}`);
    t = performance.now();
    const items = await gov.services.handoff.service.list(await principal(gov.services, 'police'), '公安');
    const ms2 = performance.now() - t;
    if (items.length < LIST_N) throw new Error(`listed ${items.length}`);
    if (i >= 2) {
      http.push(ms);
      direct.push(ms2);
    }
  }
  say(`${label}  list ${LIST_N} waiting: GET /api/staff/queue ${f(median(http))} ms (runs ${spread(http)})   service.list ${f(median(direct))} ms (runs ${spread(direct)})   [${LIST_RUNS} runs]`);
  return { http, direct };
}

export interface HandoffFigures {
  backend: 'redis' | 'memory';
  /** Per run: p50 and p99 of request → staff notified, ms. */
  p50s: number[];
  p99s: number[];
  /** Per run: listing the waiting conversations over HTTP, and the service call alone, ms. */
  listHttp: number[];
  listDirect: number[];
}

/** Both measurements on the Redis backend (two instances) and on the in-memory one. */
export async function benchHandoff(sizes: HandoffSizes = HANDOFF_FULL, log: (line: string) => void = (l) => console.log(l)): Promise<{ rows: HandoffFigures[]; sizes: HandoffSizes }> {
  ({ runs: RUNS, perRun: PER_RUN, listN: LIST_N, listRuns: LIST_RUNS } = sizes);
  say = log;
  loadConfig({});
  await sharedLibrary();
  const redisUrl = await testRedisUrl();
  const prefix = testPrefix();
  const tmpR = tempDir();
  const tmpM = tempDir();
  const rows: HandoffFigures[] = [];
  try {
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
    const a = await startGovchat({ env, sqlitePath: tmpR.sqlitePath, listen: true, logger: silentLogger });
    const b = await startGovchat({ env, sqlitePath: tmpR.sqlitePath, listen: true, logger: silentLogger });
    try {
      const lat = await latency('redis ', a, b);
      await deletePrefix(redisUrl, prefix);
      const list = await listing('redis ', b);
      rows.push({ backend: 'redis', ...lat, listHttp: list.http, listDirect: list.direct });
    } finally {
      await a.close();
      await b.close();
    }
    const m = await startGovchat({ sqlitePath: tmpM.sqlitePath, listen: true, logger: silentLogger });
    try {
      const lat = await latency('memory', m, m);
      const list = await listing('memory', m);
      rows.push({ backend: 'memory', ...lat, listHttp: list.http, listDirect: list.direct });
    } finally {
      await m.close();
    }
  } finally {
    await deletePrefix(redisUrl, prefix);
    tmpR.remove();
    tmpM.remove();
  }
  return { rows, sizes };
}

async function main() {
  // Figures depend on what else the machine is doing: say so.
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at start`);
  const { rows } = await benchHandoff();
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at end`);
  for (const r of rows) {
    const p99 = median(r.p99s);
    const list = median(r.listHttp);
    console.log(`${r.backend.padEnd(6)}  target p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'} (${f(p99)} ms);  target list 1,000 < 50 ms: ${list < 50 ? 'met' : 'NOT met'} (${f(list)} ms)`);
  }
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

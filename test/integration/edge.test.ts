/**
 * The Cloudflare Workers edge, end to end: the worker built from the 42-guide knowledge base runs
 * in real workerd (Miniflare) with wrangler.toml's settings and a KV namespace for sessions, in
 * front of the real govchat Node app as its origin on a random port.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/dialogue/reply.js';
import { formatReport, WORKERS_LIMITS } from '../../src/edge/build.js';
import { ORIGIN_UNAVAILABLE_TEXT } from '../../src/edge/engine.js';
import type { ErrorBody } from '../../src/platform/errors.js';
import { sessionKey } from '../../src/records/ids.js';
import { sharedLibrary } from '../support/library.js';
import {
  EDGE_TOKEN,
  buildTestWorker,
  edgeChat,
  eventually,
  runScheduled,
  sessionsKv,
  startOrigin,
  startWorker,
  wranglerSettings,
  type BuiltWorker,
  type TestOrigin,
  type WranglerSettings,
} from '../support/edge.js';

let built: BuiltWorker;
let origin: TestOrigin;
let settings: WranglerSettings;
let mf: Miniflare;

beforeAll(async () => {
  [built, settings, origin] = await Promise.all([sharedLibrary().then(buildTestWorker), wranglerSettings(), startOrigin()]);
  mf = await startWorker(built, settings, { ORIGIN_URL: origin.url, EDGE_INGEST_TOKEN: EDGE_TOKEN, ORIGIN_TIMEOUT_MS: '3000' });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await origin?.dispose();
  built?.dispose();
});

function parseSse(text: string): { event: string; data: unknown }[] {
  return text
    .split(/\n\n+/)
    .filter((b) => b.trim())
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
      data: JSON.parse(
        block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n'),
      ),
    }));
}

const same = (r: Reply) => ({ type: r.type, citations: r.citations, text: r.text, suggestions: r.suggestions });
const originRecords = async (sessionId: string) => {
  const records = origin.test.services.records;
  const conv = await records.conversationBySession(sessionId);
  return conv ? { conv, messages: await records.listMessages(conv.id) } : null;
};

describe('edge bundle', () => {
  it('fits the Workers size limit (paid plan), and the build prints the sizes', () => {
    console.log(formatReport(built.report));
    expect(built.report.total.gzip).toBeLessThanOrEqual(WORKERS_LIMITS.paid);
    expect(built.report.total.bytes).toBeLessThanOrEqual(WORKERS_LIMITS.uncompressed);
    expect(built.report.modules.map((m) => m.name)).toEqual(expect.arrayContaining(['worker.js', 'jieba.wasm', 'bundle/vectors.bin', 'bundle/bm25.json', 'bundle/kb.json']));
    // jieba's WebAssembly alone is 2.7 MiB compressed: more than the free plan leaves room for.
    expect(built.report.fits.free).toBe(false);
  });

  it('is deployed as wrangler.toml says: the prebuilt worker, nodejs_compat, a SESSIONS KV namespace, assets, a cron for the outbox', () => {
    expect(settings.main).toMatch(/dist\/edge\/worker\.js$/);
    expect(settings.compatibilityFlags).toContain('nodejs_compat');
    expect(settings.kvNamespaces).toEqual(['SESSIONS']);
    expect(settings.assetsBinding).toBe('ASSETS');
    expect(settings.crons.length).toBe(1);
    expect(Object.keys(settings.vars)).toEqual(expect.arrayContaining(['ORIGIN_URL', 'ANSWER_MIN_SCORE']));
  });
});

describe('answers at the edge', () => {
  it('answers a question and its follow-up as the origin does, with the session in KV', async () => {
    const first = (await (await edgeChat(mf, { message: '身份证丢了怎么办' })).json()) as Reply;
    expect(first.type).toBe('answer');
    expect(first.citations[0].guideId).toBe('id-card-replacement');
    // The follow-up carries the session id in the header, as the widget does.
    const res = await edgeChat(mf, { message: '要多少钱' }, { 'x-session-id': first.sessionId });
    const second = (await res.json()) as Reply;
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.citations[0]).toMatchObject({ guideId: 'id-card-replacement', section: 'fee' });

    const engine = origin.test.services.engine;
    const n1 = await engine.handle({ message: '身份证丢了怎么办', channel: 'web' });
    const n2 = await engine.handle({ message: '要多少钱', sessionId: n1.sessionId, channel: 'web' });
    expect(same(first)).toEqual(same(n1));
    expect(same(second)).toEqual(same(n2));

    const kv = await sessionsKv(mf);
    const keys = (await kv.list()).keys.map((k) => k.name);
    expect(keys).toContain(`session:${sessionKey(first.sessionId)}`);
    expect(keys.some((k) => k.includes(first.sessionId))).toBe(false); // KV never lists the bearer secret
    const state = JSON.parse((await kv.get(`session:${sessionKey(first.sessionId)}`))!);
    expect(state).toMatchObject({ guideId: 'id-card-replacement', aspect: 'fee' });
  });

  it('records every edge turn at the origin: messages, evidence and session state', async () => {
    const a = (await (await edgeChat(mf, { message: '护照过期了怎么换' })).json()) as Reply;
    const b = (await (await edgeChat(mf, { message: '要带什么材料', sessionId: a.sessionId })).json()) as Reply;
    const rec = await eventually(async () => {
      const r = await originRecords(a.sessionId);
      return r && r.messages.length === 4 ? r : null;
    });
    expect(rec.messages.map((m) => [m.role, m.text])).toEqual([
      ['citizen', '护照过期了怎么换'],
      ['bot', a.text],
      ['citizen', '要带什么材料'],
      ['bot', b.text],
    ]);
    expect(rec.messages[3].id).toBe(b.messageId);
    expect(rec.messages[3].evidence).toMatchObject({ guideId: b.citations[0].guideId, aspect: b.citations[0].section });
    expect((rec.messages[3].evidence as { ranking: string[] }).ranking.length).toBeGreaterThan(0);
    expect(JSON.parse(rec.conv.state!)).toMatchObject({ id: a.sessionId, guideId: b.citations[0].guideId });
    const ingest = origin.seen.filter((r) => r.path === '/api/edge/records');
    expect(ingest.length).toBeGreaterThanOrEqual(2);
    expect(ingest.every((r) => r.headers.authorization === `Bearer ${EDGE_TOKEN}`)).toBe(true);
  });

  it('streams an answer as server-sent events: meta, text deltas, then the whole reply', async () => {
    const res = await mf.dispatchFetch('http://edge.test/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: '换身份证要多少钱' }),
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events[0].event).toBe('meta');
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const reply = done.data as Reply;
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply.text);
    const node = await origin.test.services.engine.handle({ message: '换身份证要多少钱', channel: 'web' });
    expect(same(reply)).toEqual(same(node));
    // The streamed turn is recorded too (its batch is sent in the background of the stream).
    await eventually(async () => (await originRecords(reply.sessionId))?.messages.length === 2);
  });

  it('answers 400 and 413 with the error shape, like the origin', async () => {
    const bad = await mf.dispatchFetch('http://edge.test/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBeTruthy();
    const long = await edgeChat(mf, { message: '身'.repeat(600) });
    expect(long.status).toBe(413);
    expect(((await long.json()) as ErrorBody).error.code).toBe('message_too_long');
  });

  it('serves guides, guide pages and /healthz from the bundle', async () => {
    expect((await mf.dispatchFetch('http://edge.test/healthz')).status).toBe(200);
    const edgeGuide = await (await mf.dispatchFetch('http://edge.test/api/guides/id-card-renewal')).json();
    const originGuide = await (await fetch(`${origin.url}/api/guides/id-card-renewal`)).json();
    expect(edgeGuide).toEqual(originGuide);
    const page = await mf.dispatchFetch('http://edge.test/guides/id-card-renewal');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('居民身份证换领');
  });

  it('serves the widget (index.html, widget.js) as static assets', async () => {
    const js = await mf.dispatchFetch('http://edge.test/widget.js');
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('govchat widget');
    const index = await mf.dispatchFetch('http://edge.test/');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<script src="/widget.js">');
  });
});

describe('what stays on the origin', () => {
  it('hands a handoff request to the origin after the earlier turns, and the origin keeps the conversation', async () => {
    const first = (await (await edgeChat(mf, { message: '身份证丢了怎么办' })).json()) as Reply;
    const before = origin.seen.filter((r) => r.path === '/api/chat').length;
    const res = await edgeChat(mf, { message: '转人工', sessionId: first.sessionId }, { 'cf-connecting-ip': '203.0.113.7' });
    expect(res.status).toBe(200);
    const handoff = (await res.json()) as Reply;
    expect(handoff.sessionId).toBe(first.sessionId);

    const chats = origin.seen.filter((r) => r.path === '/api/chat');
    expect(chats.length).toBe(before + 1);
    expect(JSON.parse(chats.at(-1)!.body)).toMatchObject({ sessionId: first.sessionId, message: '转人工' });
    expect(chats.at(-1)!.headers['x-forwarded-for']).toBe('203.0.113.7');
    // The origin had the edge's turn before the handoff turn, and recorded the handoff turn itself, once.
    const rec = (await originRecords(first.sessionId))!;
    expect(rec.messages.map((m) => m.text)).toEqual(['身份证丢了怎么办', first.text, '转人工', handoff.text]);
    expect(rec.messages[3].id).toBe(handoff.messageId);
    expect(rec.messages[3].type).toBe(handoff.type);

    // From now on the origin holds the conversation: the next message goes straight there.
    const next = (await (await edgeChat(mf, { message: '要多少钱', sessionId: first.sessionId })).json()) as Reply;
    expect(origin.seen.filter((r) => r.path === '/api/chat').length).toBe(before + 2);
    const after = (await originRecords(first.sessionId))!;
    expect(after.messages.at(-1)!.id).toBe(next.messageId);
  });

  it('forwards ratings, staff and form requests with method, headers, query and body intact, and passes back status and body', async () => {
    const cases: { method: string; path: string; headers: Record<string, string>; body?: string }[] = [
      { method: 'POST', path: '/api/ratings', headers: { 'content-type': 'application/json', 'x-session-id': 'AbCdEfGhIjKlMnOpQrStUv12' }, body: JSON.stringify({ sessionId: 'AbCdEfGhIjKlMnOpQrStUv12', level: 5, comment: '很满意' }) },
      { method: 'GET', path: '/api/staff/queue?department=%E5%85%AC%E5%AE%89', headers: { authorization: 'Bearer staff-token-123' }, body: undefined },
      { method: 'PATCH', path: '/api/forms/d_123', headers: { 'content-type': 'application/json', 'x-session-id': 'AbCdEfGhIjKlMnOpQrStUv12' }, body: JSON.stringify({ fields: { name: '张三' } }) },
    ];
    for (const c of cases) {
      const seenBefore = origin.seen.length;
      const viaEdge = await mf.dispatchFetch(`http://edge.test${c.path}`, { method: c.method, headers: { ...c.headers, 'x-custom': 'kept' }, body: c.body });
      const seen = origin.seen.slice(seenBefore).find((r) => c.path.startsWith(r.path));
      expect(seen, c.path).toBeTruthy();
      expect(seen!.method).toBe(c.method);
      expect(seen!.path + seen!.search).toBe(c.path);
      expect(seen!.body).toBe(c.body ?? '');
      for (const [k, v] of Object.entries(c.headers)) expect(seen!.headers[k]).toBe(v);
      expect(seen!.headers['x-custom']).toBe('kept');
      expect(seen!.headers['x-forwarded-host']).toBe('edge.test');
      // The edge's answer is the origin's answer.
      const direct = await fetch(`${origin.url}${c.path}`, { method: c.method, headers: c.headers, body: c.body });
      expect(viaEdge.status).toBe(direct.status);
      expect(await viaEdge.text()).toBe(await direct.text());
    }
  });

  it('streams the origin’s server-sent events through as they come', async () => {
    const res = await mf.dispatchFetch('http://edge.test/api/sessions/AbCdEfGhIjKlMnOpQrStUv12/edge-test-stream');
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrivals: { at: number; text: string }[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ at: Date.now(), text: decoder.decode(value) });
    }
    const ticks = parseSse(arrivals.map((a) => a.text).join('')).map((e) => e.data as { i: number; at: number });
    expect(ticks.map((t) => t.i)).toEqual([1, 2, 3]);
    // The first event reached the client before the origin had even written the last one.
    const firstArrival = arrivals.find((a) => a.text.includes('"i":1'))!.at;
    expect(firstArrival).toBeLessThan(ticks[2].at);
  });
});

describe('when the origin is down', () => {
  it('still answers, keeps the records in the KV outbox, and the cron trigger delivers them once the origin is back', async () => {
    await origin.stop();
    try {
      const a = (await (await edgeChat(mf, { message: '补办身份证在哪里办' })).json()) as Reply;
      expect(a.type).toBe('answer');
      const b = (await (await edgeChat(mf, { message: '转人工', sessionId: a.sessionId })).json()) as Reply;
      expect(b.type).toBe('no_answer');
      expect(b.text).toBe(ORIGIN_UNAVAILABLE_TEXT);
      const forwarded = await mf.dispatchFetch('http://edge.test/api/staff/queue');
      expect(forwarded.status).toBe(502);
      expect(((await forwarded.json()) as ErrorBody).error.code).toBe('origin_unavailable');
      const kv = await sessionsKv(mf);
      await eventually(async () => (await kv.list({ prefix: 'outbox:' })).keys.length >= 2);
    } finally {
      await origin.start();
    }
    const kv = await sessionsKv(mf);
    await runScheduled(mf, settings.crons[0]);
    const sessionKeys = (await kv.list({ prefix: 'session:' })).keys.length;
    expect(sessionKeys).toBeGreaterThan(0);
    await eventually(async () => (await kv.list({ prefix: 'outbox:' })).keys.length === 0);
    // Everything the citizen said while the origin was down is in the origin's records now.
    const all = await origin.test.services.database.db.selectFrom('messages').select(['text', 'role']).where('role', '=', 'citizen').execute();
    expect(all.map((m) => m.text)).toEqual(expect.arrayContaining(['补办身份证在哪里办', '转人工']));
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Answerer } from '../answer/answerer.js';
import { silentLogger } from '../platform/logger.js';
import type { RecordBatch } from './batch.js';
import { EdgeDialogue } from './engine.js';
import { KvSessionStore } from './kv-sessions.js';
import { OriginClient } from './origin.js';
import { EdgeRecords } from './records.js';
import type { KVNamespace } from './workers.js';

/** A stand-in origin on a real socket: stores what POST /api/edge/records receives, or refuses with 503. */
let server: Server;
let received: RecordBatch[] = [];
let refusing = false;
let mf: Miniflare;
let kv: KVNamespace;
let origin: OriginClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (refusing || req.url !== '/api/edge/records' || req.headers.authorization !== 'Bearer records-test-token-0123') {
        res.writeHead(503).end();
        return;
      }
      received.push(...(JSON.parse(body) as { batches: RecordBatch[] }).batches);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = new OriginClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'records-test-token-0123', timeoutMs: 2000 });
  // Real Workers KV (Miniflare's implementation), used from Node.
  mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null) } }', kvNamespaces: ['SESSIONS'], compatibilityDate: '2026-04-01' });
  kv = (await mf.getKVNamespace('SESSIONS')) as unknown as KVNamespace;
});

afterAll(async () => {
  await mf?.dispose();
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  received = [];
  refusing = false;
});

async function turn(records: EdgeRecords, sessionId: string, text: string) {
  return records.runTurn(async () => {
    const c = await records.openConversation(sessionId, 'web');
    await records.addMessage({ conversationId: c.id, role: 'citizen', text });
    await new Promise((r) => setTimeout(r, 5)); // the answer being worked out
    await records.addMessage({ conversationId: c.id, role: 'bot', type: 'answer', text: `答：${text}` });
    await records.updateConversation(c.id, { state: JSON.stringify({ last: text }), guide_id: null });
    return c;
  });
}

describe('edge records', () => {
  it('sends each turn as its own batch, even two turns of one conversation at the same moment', async () => {
    const records = new EdgeRecords(kv, origin, silentLogger);
    await turn(records, 'SessionAAAAAAAAAAAAAAAA1', '你好');
    const [a, b] = await Promise.all([turn(records, 'SessionAAAAAAAAAAAAAAAA1', '第一问'), turn(records, 'SessionAAAAAAAAAAAAAAAA1', '第二问')]);
    expect(a.id).toBe(b.id);
    await records.idle();
    expect(received).toHaveLength(3);
    for (const batch of received) {
      expect(batch.messages.map((m) => m.role)).toEqual(['citizen', 'bot']);
      expect(batch.messages[1].text).toBe(`答：${batch.messages[0].text}`);
      expect(batch.conversation).toMatchObject({ id: a.id, session_key: a.session_key });
    }
  });

  it('keeps what the origin refuses in the outbox, delivers it in order when asked, and drains the rest', async () => {
    const records = new EdgeRecords(kv, origin, silentLogger);
    refusing = true;
    const c = await turn(records, 'SessionBBBBBBBBBBBBBBBB1', '一');
    await turn(records, 'SessionBBBBBBBBBBBBBBBB1', '二');
    await turn(records, 'SessionCCCCCCCCCCCCCCCC1', '三');
    await records.idle();
    expect(received).toHaveLength(0);
    expect((await kv.list({ prefix: 'outbox:' })).keys.map((k) => k.name)).toHaveLength(3);
    await expect(records.deliver(c.id)).rejects.toThrow(/refused/);

    refusing = false;
    await records.deliver(c.id);
    expect(received.map((b) => b.messages[0].text)).toEqual(['一', '二']);
    expect(await records.drainOutbox()).toEqual({ sent: 1, left: 0 });
    expect(received.map((b) => b.messages[0].text)).toEqual(['一', '二', '三']);
    expect((await kv.list({ prefix: 'outbox:' })).keys).toHaveLength(0);
  });

  it('keeps the citizen’s message when the turn fails half-way', async () => {
    const records = new EdgeRecords(kv, origin, silentLogger);
    const broken = new Answerer(
      () => {
        throw new Error('index unavailable');
      },
      { minConfidence: 0.5 },
    );
    const engine = new EdgeDialogue({ answerer: broken, sessions: new KvSessionStore(kv), records, logger: silentLogger, origin });
    await expect(engine.handle({ message: '身份证丢了怎么办', channel: 'web' })).rejects.toThrow(/index unavailable/);
    await records.idle();
    expect(received).toHaveLength(1);
    expect(received[0].messages.map((m) => [m.role, m.text])).toEqual([['citizen', '身份证丢了怎么办']]);
  });
});

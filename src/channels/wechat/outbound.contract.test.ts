/**
 * One contract for both outbound queues: in process (no Redis) and BullMQ on a real Redis
 * (unique key prefix). A message is sent once however often it is queued, its parts in order, a
 * failure retried with backoff from the part that failed, a permanent failure not retried, and
 * every outcome recorded in the delivery log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboundWorker } from '../../../workers/wechat-outbound.js';
import { silentLogger } from '../../platform/logger.js';
import { RedisConnections } from '../../platform/redis.js';
import { openDatabase, type OpenedDatabase } from '../../records/db.js';
import { ConversationRecords } from '../../records/store.js';
import { deletePrefix, testPrefix } from '../../../test/support/redis.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { eventually } from '../../../test/support/wechat.js';
import { WECHATY_CHANNEL } from './contacts.js';
import { BullOutboundQueue } from './outbound-bullmq.js';
import { DeliveryLog, MemoryOutboundQueue, PermanentDeliveryError, type OutboundConsumer, type OutboundJob, type OutboundQueue, type OutboundSender, type RetryPolicy } from './outbound.js';

const RETRY: RetryPolicy = { attempts: 3, backoffMs: 40 };

interface Backend {
  name: string;
  queue: OutboundQueue;
  /** A second producer, as another process would have. */
  other: OutboundQueue;
  consume(sender: OutboundSender): OutboundConsumer;
  close(): Promise<void>;
}

let dir: string;
let db: OpenedDatabase;
let records: ConversationRecords;
let deliveries: DeliveryLog;
let redisUrl: string;
const prefix = testPrefix();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'govchat-outbound-'));
  db = await openDatabase({ sqlitePath: join(dir, 'db.sqlite') });
  records = new ConversationRecords(db.db, db.dialect);
  deliveries = new DeliveryLog(db.db);
  redisUrl = await testRedisUrl();
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
  if (redisUrl) await deletePrefix(redisUrl, prefix);
  if (redisUrl) await deletePrefix(redisUrl, `${prefix}:late`);
});

function memoryBackend(): Backend {
  const queue = new MemoryOutboundQueue({ channel: WECHATY_CHANNEL, deliveries, logger: silentLogger, retry: RETRY });
  return { name: 'memory', queue, other: queue, consume: (s) => queue.attach(s), close: () => queue.close() };
}

/** `keyPrefix`: a backend of its own (another deployment), whose queue no other worker reads. */
async function redisBackend(keyPrefix = prefix): Promise<Backend> {
  const a = new RedisConnections(redisUrl, keyPrefix, silentLogger);
  const b = new RedisConnections(redisUrl, keyPrefix, silentLogger);
  await a.connect();
  await b.connect();
  const queue = new BullOutboundQueue(a, WECHATY_CHANNEL, deliveries, silentLogger, RETRY);
  const other = new BullOutboundQueue(b, WECHATY_CHANNEL, deliveries, silentLogger, RETRY);
  const consumers: OutboundConsumer[] = [];
  return {
    name: 'redis (BullMQ)',
    queue,
    other,
    consume: (sender) => {
      const c = startOutboundWorker({ redis: a, channel: WECHATY_CHANNEL, sender, deliveries, logger: silentLogger });
      consumers.push(c);
      return c;
    },
    close: async () => {
      for (const c of consumers) await c.close();
      await queue.close();
      await other.close();
      await a.close();
      await b.close();
    },
  };
}

/** A sender that records what it sent and fails as scripted (per message id and part). */
class ScriptedSender implements OutboundSender {
  readonly sent: Array<{ id: string; index: number; part: string; contact: string }> = [];
  readonly calls: Array<{ id: string; index: number }> = [];
  readonly failures = new Map<string, Array<'transient' | 'permanent'>>();

  async send(job: OutboundJob, part: string, index: number): Promise<void> {
    this.calls.push({ id: job.id, index });
    const script = this.failures.get(`${job.id}#${index}`);
    const next = script?.shift();
    if (next === 'permanent') throw new PermanentDeliveryError('45015', 'outside the 48-hour window');
    if (next === 'transient') throw Object.assign(new Error('puppet not logged in'), { code: 'not_logged_in' });
    this.sent.push({ id: job.id, index, part, contact: job.contact });
  }

  of(id: string) {
    return this.sent.filter((s) => s.id === id);
  }
}

let seq = 0;
async function job(parts: string[], contact = `wxid_${++seq}`): Promise<OutboundJob> {
  const conv = await records.openConversation(`outbound-test-session-${Date.now()}-${++seq}`, WECHATY_CHANNEL, contact);
  const msg = await records.addMessage({ conversationId: conv.id, role: 'staff', text: parts.join('\n') });
  return { id: msg.id, channel: WECHATY_CHANNEL, conversationId: conv.id, contact, parts };
}

const status = (id: string, want: string) => eventually(async () => ((await deliveries.get(id))?.status === want ? deliveries.get(id) : null), 8000, `delivery ${id} ${want}`);

describe.each([
  ['memory', memoryBackend as (keyPrefix?: string) => Backend | Promise<Backend>],
  ['redis (BullMQ)', redisBackend],
])('outbound queue: %s', (_name, make) => {
  let b: Backend;
  let sender: ScriptedSender;
  beforeAll(async () => {
    b = await make();
    sender = new ScriptedSender();
    b.consume(sender);
  });
  afterAll(async () => {
    await b?.close();
  });

  it('sends the parts in order, once, however often the message is queued (also by another process)', async () => {
    const j = await job(['（1/3）第一部分', '（2/3）第二部分', '（3/3）第三部分']);
    const results = await Promise.all([b.queue.enqueue(j), b.other.enqueue(j), b.queue.enqueue(j)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const d = await status(j.id, 'sent');
    expect(d).toMatchObject({ status: 'sent', parts: 3, attempts: 1, errorCode: null });
    expect(d!.sentAt).toBeGreaterThan(0);
    expect(sender.of(j.id).map((s) => s.index)).toEqual([0, 1, 2]);
    expect(sender.of(j.id)[0]).toMatchObject({ part: '（1/3）第一部分', contact: j.contact });
    expect(await b.queue.enqueue(j)).toBe(false);
  });

  it('retries a failed send with backoff, resuming at the part that failed', async () => {
    const j = await job(['甲', '乙', '丙']);
    sender.failures.set(`${j.id}#1`, ['transient']);
    await b.queue.enqueue(j);
    const d = await status(j.id, 'sent');
    expect(d).toMatchObject({ attempts: 2, errorCode: null });
    expect(sender.of(j.id).map((s) => s.part)).toEqual(['甲', '乙', '丙']);
    expect(sender.calls.filter((c) => c.id === j.id).map((c) => c.index)).toEqual([0, 1, 1, 2]);
  });

  it('does not retry a permanent failure, and records why', async () => {
    const j = await job(['超过48小时的回复']);
    sender.failures.set(`${j.id}#0`, ['permanent', 'permanent', 'permanent']);
    await b.queue.enqueue(j);
    const d = await status(j.id, 'failed');
    expect(d).toMatchObject({ status: 'failed', attempts: 1, errorCode: '45015' });
    expect(d!.error).toContain('48-hour');
    await new Promise((r) => setTimeout(r, 200));
    expect(sender.calls.filter((c) => c.id === j.id)).toHaveLength(1);
  });

  it('gives up after the last attempt and records the failure', async () => {
    const j = await job(['总是失败']);
    sender.failures.set(`${j.id}#0`, ['transient', 'transient', 'transient', 'transient']);
    await b.queue.enqueue(j);
    const d = await status(j.id, 'failed');
    expect(d).toMatchObject({ attempts: RETRY.attempts, errorCode: 'not_logged_in' });
    expect(sender.calls.filter((c) => c.id === j.id)).toHaveLength(RETRY.attempts);
  });

  it('delivers one contact\'s messages in the order they were queued', async () => {
    const first = await job(['第一条'], 'wxid_order');
    const second = await job(['第二条'], 'wxid_order');
    await b.queue.enqueue(first);
    await b.queue.enqueue(second);
    await status(second.id, 'sent');
    await status(first.id, 'sent');
    const order = sender.sent.filter((s) => s.contact === 'wxid_order').map((s) => s.part);
    expect(order).toEqual(['第一条', '第二条']);
  });

  it('keeps a message queued until a sender is there, then sends it', async () => {
    const late = await make(`${prefix}:late`);
    try {
      const j = await job(['等发送者上线']);
      await late.queue.enqueue(j);
      await new Promise((r) => setTimeout(r, 150));
      expect((await deliveries.get(j.id))?.status).toBe('queued');
      const s = new ScriptedSender();
      late.consume(s);
      await status(j.id, 'sent');
      expect(s.of(j.id).map((x) => x.part)).toEqual(['等发送者上线']);
    } finally {
      await late.close();
    }
  });
});

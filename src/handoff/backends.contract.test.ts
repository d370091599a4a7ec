/**
 * One contract for the two backends of the handoff: the in-memory queue, event bus and timers
 * (one process) and the Redis ones (BullMQ queues, pub/sub, delayed jobs run by the worker).
 * Both must pass every test here (describe.each), on a real Redis with a unique key prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../platform/logger.js';
import { RedisConnections } from '../platform/redis.js';
import { deletePrefix, testPrefix } from '../../test/support/redis.js';
import { testRedisUrl } from '../../test/support/services.js';
import { startHandoffWorker, type HandoffWorker } from '../../workers/handoff-worker.js';
import { BullHandoffQueue } from './bullmq-queue.js';
import { MemoryEventBus, RedisEventBus, type EventBus } from './events.js';
import { MemoryHandoffQueue, type HandoffQueue, type QueueEntry } from './queue.js';
import { BullTimers, MemoryTimers, type TimerScheduler } from './timers.js';

interface Backend {
  queue: HandoffQueue;
  /** Two handles on the same event backend (two instances when on Redis). */
  busA: EventBus;
  busB: EventBus;
  timers: TimerScheduler;
  /** Ticks the timers delivered, in order. */
  ticks: string[];
  close(): Promise<void>;
}

const redisUrl = await testRedisUrl();
const prefixes: string[] = [];

async function memoryBackend(): Promise<Backend> {
  const bus = new MemoryEventBus();
  const ticks: string[] = [];
  const timers = new MemoryTimers();
  timers.setRunner(async (id) => void ticks.push(id));
  const queue = new MemoryHandoffQueue();
  return { queue, busA: bus, busB: bus, timers, ticks, close: async () => Promise.all([queue.close(), bus.close(), timers.close()]).then(() => {}) };
}

async function redisBackend(): Promise<Backend> {
  const prefix = testPrefix();
  prefixes.push(prefix);
  // Instance A and instance B: separate connections, no shared memory.
  const a = new RedisConnections(redisUrl, prefix, silentLogger);
  const b = new RedisConnections(redisUrl, prefix, silentLogger);
  await a.connect();
  await b.connect();
  const ticks: string[] = [];
  const worker: HandoffWorker = await startHandoffWorker({
    redis: b,
    jobs: { tick: async (id) => void ticks.push(id), sync: async () => undefined },
    logger: silentLogger,
    concurrency: 2,
    lockMs: 5000,
    stalledIntervalMs: 5000,
    maxStalled: 1,
    sweepMs: 3_600_000,
  });
  const queue = new BullHandoffQueue(a);
  const busA = new RedisEventBus(a, silentLogger);
  const busB = new RedisEventBus(b, silentLogger);
  const timers = new BullTimers(a);
  return {
    queue,
    busA,
    busB,
    timers,
    ticks,
    close: async () => {
      await worker.close();
      await Promise.all([queue.close(), busA.close(), busB.close(), timers.close()]);
      await a.close();
      await b.close();
    },
  };
}

afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redisUrl, p);
});

let n = 0;
function entry(department: string, priority: number, extra: Partial<QueueEntry> = {}): QueueEntry {
  n++;
  return {
    handoffId: `h_test${n}`,
    conversationId: `c_test${n}`,
    channel: 'web',
    department,
    reason: 'handoff',
    priority,
    summary: { text: `第 ${n} 位`, questions: [`问题 ${n}`], guideId: null, guideTitle: null, formDraftId: null, priorityReasons: [] },
    requestedAt: Date.now(),
    ...extra,
  };
}

const until = async (pred: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.each([
  ['in memory', memoryBackend],
  ['on Redis (BullMQ, pub/sub)', redisBackend],
])('handoff backend contract: %s', (_name, make) => {
  let b: Backend;
  beforeAll(async () => {
    b = await make();
  });
  afterAll(async () => {
    await b?.close();
  });

  describe('queue', () => {
    it('serves higher priority first, then first come first served', async () => {
      const d = `公安${n}`;
      const e1 = entry(d, 0);
      const e2 = entry(d, 0);
      const e3 = entry(d, 2);
      const e4 = entry(d, 1);
      for (const e of [e1, e2, e3, e4]) await b.queue.add(e);
      expect((await b.queue.list(d)).map((e) => e.handoffId)).toEqual([e3.handoffId, e4.handoffId, e1.handoffId, e2.handoffId]);
      expect(await b.queue.position(d, e1.handoffId)).toBe(3);
      expect(await b.queue.position(d, e3.handoffId)).toBe(1);
      expect(await b.queue.count(d)).toBe(4);
    });

    it('keeps one entry when the same handoff is added twice (rebuilds are safe)', async () => {
      const d = `人社${n}`;
      const e = entry(d, 0);
      await b.queue.add(e);
      await b.queue.add({ ...e, priority: 3, summary: { ...e.summary, text: 'changed' } });
      const list = await b.queue.list(d);
      expect(list).toHaveLength(1);
      expect(list[0]).toEqual(e);
    });

    it('removes an entry; removing twice or an unknown one is harmless', async () => {
      const d = `医保${n}`;
      const e1 = entry(d, 0);
      const e2 = entry(d, 0);
      await b.queue.add(e1);
      await b.queue.add(e2);
      await b.queue.remove(d, e1.handoffId);
      await b.queue.remove(d, e1.handoffId);
      await b.queue.remove(d, 'h_unknown');
      expect((await b.queue.list(d)).map((e) => e.handoffId)).toEqual([e2.handoffId]);
      expect(await b.queue.position(d, e1.handoffId)).toBeNull();
      expect(await b.queue.position(d, e2.handoffId)).toBe(1);
    });

    it('raises a priority: the entry goes behind those already waiting at that priority', async () => {
      const d = `民政${n}`;
      const high = entry(d, 1);
      const a = entry(d, 0);
      const c = entry(d, 0);
      for (const e of [high, a, c]) await b.queue.add(e);
      await b.queue.setPriority(d, c.handoffId, 1);
      const list = await b.queue.list(d);
      expect(list.map((e) => e.handoffId)).toEqual([high.handoffId, c.handoffId, a.handoffId]);
      expect(list[1].priority).toBe(1);
      await b.queue.setPriority(d, 'h_unknown', 3);
    });

    it('keeps departments apart and lists an empty queue as empty', async () => {
      const e = entry(`公积金${n}`, 0);
      await b.queue.add(e);
      expect(await b.queue.list(`市场监管${n}`)).toEqual([]);
      expect(await b.queue.count(`市场监管${n}`)).toBe(0);
      expect(await b.queue.position(`市场监管${n}`, e.handoffId)).toBeNull();
      expect(b.queue.available()).toBe(true);
    });

    it('lists with a limit, in order', async () => {
      const d = `综合${n}`;
      const es = Array.from({ length: 5 }, () => entry(d, 0));
      for (const e of es) await b.queue.add(e);
      expect((await b.queue.list(d, 2)).map((e) => e.handoffId)).toEqual(es.slice(0, 2).map((e) => e.handoffId));
    });
  });

  describe('events', () => {
    it('delivers a publish on one instance to a subscriber on the other, in order, as a copy', async () => {
      const got: unknown[] = [];
      const off = await b.busB.subscribe('conv:c_x1', (e) => got.push(e));
      const sent = { type: 'message', n: 1 };
      await b.busA.publish('conv:c_x1', sent);
      await b.busA.publish('conv:c_x1', { type: 'message', n: 2 });
      sent.n = 99;
      await until(() => got.length === 2);
      expect(got).toEqual([
        { type: 'message', n: 1 },
        { type: 'message', n: 2 },
      ]);
      await off();
    });

    it('delivers only the topics subscribed to, to every handler, and stops after unsubscribe', async () => {
      const one: unknown[] = [];
      const two: unknown[] = [];
      const off1 = await b.busB.subscribe('staff', (e) => one.push(e));
      const off2 = await b.busB.subscribe('staff', (e) => two.push(e));
      await b.busA.publish('conv:someone-else', { x: 0 });
      await b.busA.publish('staff', { x: 1 });
      await until(() => one.length === 1 && two.length === 1);
      await off1();
      await b.busA.publish('staff', { x: 2 });
      await until(() => two.length === 2);
      expect(one).toEqual([{ x: 1 }]);
      await off2();
      await b.busA.publish('staff', { x: 3 });
      await new Promise((r) => setTimeout(r, 50));
      expect(two).toEqual([{ x: 1 }, { x: 2 }]);
    });

    it('keeps going when a handler throws', async () => {
      const got: unknown[] = [];
      const offBad = await b.busB.subscribe('conv:c_x2', () => {
        throw new Error('handler bug');
      });
      const off = await b.busB.subscribe('conv:c_x2', (e) => got.push(e));
      await b.busA.publish('conv:c_x2', { ok: true });
      await until(() => got.length === 1);
      await offBad();
      await off();
    });
  });

  describe('timers', () => {
    it('runs a timer when due, and a timer set twice for the same moment once', async () => {
      const before = b.ticks.length;
      const due = Date.now() + 150;
      await b.timers.schedule('h_timer1', due);
      await b.timers.schedule('h_timer1', due);
      await b.timers.schedule('h_timer2', Date.now() - 1000);
      await until(() => b.ticks.slice(before).includes('h_timer1') && b.ticks.slice(before).includes('h_timer2'), 5000);
      await new Promise((r) => setTimeout(r, 200));
      const mine = b.ticks.slice(before);
      expect(mine.filter((t) => t === 'h_timer1')).toHaveLength(1);
      expect(mine.indexOf('h_timer2')).toBeLessThan(mine.indexOf('h_timer1'));
    });
  });
});

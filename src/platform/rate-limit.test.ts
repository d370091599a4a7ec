import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, freePort, testPrefix } from '../../test/support/redis.js';
import { testRedisUrl } from '../../test/support/services.js';
import { MemorySlidingWindow, RedisSlidingWindow } from './rate-limit.js';

describe('sliding window in memory', () => {
  it('allows exactly the limit in any window and says when the oldest request leaves it', async () => {
    let now = 1_000_000;
    const w = new MemorySlidingWindow(() => now);
    for (let i = 0; i < 3; i++) {
      expect((await w.hit('a', 3, 60_000)).allowed).toBe(true);
      now += 10_000;
    }
    // t = 30 s: three in the last minute, the oldest at t = 0.
    const refused = await w.hit('a', 3, 60_000);
    expect(refused).toEqual({ allowed: false, count: 3, retryAfterMs: 30_000 });
    // Another key is counted apart.
    expect((await w.hit('b', 3, 60_000)).allowed).toBe(true);
    // No fixed-window burst: just before the first leaves, still refused; just after, one slot.
    now = 1_000_000 + 59_999;
    expect((await w.hit('a', 3, 60_000)).allowed).toBe(false);
    now = 1_000_000 + 60_000;
    expect((await w.hit('a', 3, 60_000))).toMatchObject({ allowed: true, count: 3 });
    expect((await w.hit('a', 3, 60_000)).allowed).toBe(false);
  });

  it('a refused request does not use up a slot', async () => {
    let now = 0;
    const w = new MemorySlidingWindow(() => now);
    await w.hit('k', 1, 1000);
    for (let i = 0; i < 10; i++) expect((await w.hit('k', 1, 1000)).allowed).toBe(false);
    now = 1000;
    expect((await w.hit('k', 1, 1000)).allowed).toBe(true);
  });
});

describe('sliding window in Redis', () => {
  const prefixes: string[] = [];
  const clients: Redis[] = [];
  let url = '';
  const client = async () => {
    url ||= await testRedisUrl();
    const r = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(r);
    return r;
  };
  afterAll(async () => {
    for (const p of prefixes) await deletePrefix(url, p);
    for (const c of clients) c.disconnect();
  });

  it('holds the limit exactly across instances hitting at once (one atomic script)', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    // Two "instances": separate connections, separate limiter objects, the same keys.
    const a = new RedisSlidingWindow(await client(), prefix);
    const b = new RedisSlidingWindow(await client(), prefix);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).hit('ip:10.0.0.1', 25, 60_000)));
    expect(results.filter((r) => r.allowed).length).toBe(25);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.length).toBe(35);
    for (const r of refused) {
      expect(r.retryAfterMs).toBeGreaterThan(50_000);
      expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect((await a.hit('ip:10.0.0.2', 25, 60_000)).allowed).toBe(true);
  });

  it('lets requests through again once the window has moved on', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const w = new RedisSlidingWindow(await client(), prefix);
    expect((await w.hit('s', 2, 300)).allowed).toBe(true);
    expect((await w.hit('s', 2, 300)).allowed).toBe(true);
    const refused = await w.hit('s', 2, 300);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    expect((await w.hit('s', 2, 300)).allowed).toBe(true);
  });

  it('falls back to a per-instance window while Redis is unreachable, still limiting', async () => {
    const port = await freePort();
    const dead = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    clients.push(dead);
    const w = new RedisSlidingWindow(dead, 'x');
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await w.hit('ip:1', 3, 60_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
  });
});

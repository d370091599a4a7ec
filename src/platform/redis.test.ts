import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/redis.js';
import { testRedisUrl } from '../../test/support/services.js';
import { createLogger } from './logger.js';
import { backoff, redisOptions, redisWhere, RedisConnections } from './redis.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('Redis connections', () => {
  it('names where Redis is without the password', () => {
    expect(redisWhere('redis://:s3cret@10.0.0.5:6380/2')).toBe('redis://10.0.0.5:6380/2');
    expect(redisWhere('rediss://user:pw@cache.gov.cn')).toBe('rediss://cache.gov.cn:6379/0');
    expect(redisWhere('not a url')).not.toMatch(/not a url/);
  });

  it('backs off from 100 ms to at most about 5 s', () => {
    expect(backoff(1)).toBeGreaterThanOrEqual(160);
    expect(backoff(1)).toBeLessThanOrEqual(240);
    for (let i = 0; i < 50; i++) expect(backoff(100)).toBeLessThanOrEqual(6000);
  });

  it('fails fast for API commands, retries forever for workers (BullMQ needs maxRetriesPerRequest null)', () => {
    expect(redisOptions('command')).toMatchObject({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(redisOptions('worker')).toMatchObject({ lazyConnect: true, maxRetriesPerRequest: null });
    expect(redisOptions('subscriber')).toMatchObject({ enableOfflineQueue: true });
  });

  it('does not connect until asked, and logs an unreachable Redis once, without the password', async () => {
    const { lines, logger } = capture();
    const port = await freePort();
    const r = new RedisConnections(`redis://:s3cret-pw@127.0.0.1:${port}`, 'x', logger);
    expect(r.command.status).toBe('wait');
    expect(await r.connect(400)).toBe(false);
    await new Promise((res) => setTimeout(res, 600));
    await r.close();
    const text = lines.join('');
    expect(text).toMatch(/redis unavailable; retrying in the background/);
    expect(text).toContain(`redis://127.0.0.1:${port}/0`);
    expect(text).not.toContain('s3cret-pw');
    expect(lines.filter((l) => l.includes('redis unavailable')).length).toBe(1);
  });

  it('connects to a real Redis and reports ready', async () => {
    const url = await testRedisUrl();
    const { lines, logger } = capture();
    const r = new RedisConnections(url, 'x', logger);
    expect(await r.connect(3000)).toBe(true);
    expect(r.ready()).toBe(true);
    expect(await r.command.ping()).toBe('PONG');
    await r.close();
    expect(lines.join('')).toMatch(/redis ready/);
  });
});

/**
 * The access token and customer-service messages against a local server standing in for WeChat's
 * API: cached until shortly before expiry, fetched once for concurrent callers and across
 * instances (Redis), refreshed on 40001, 45015 a permanent failure.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../platform/logger.js';
import { deletePrefix, testPrefix } from '../../../test/support/redis.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { FakeWechatApi, MP_APPID, MP_SECRET, openId } from '../../../test/support/wechat.js';
import { AccessTokens, CustomerService, MemoryTokenCache, RedisTokenCache, WechatApiError, type TokenCache } from './mp-api.js';
import { PermanentDeliveryError } from './outbound.js';

let api: FakeWechatApi;
let redisUrl: string;
let redis: Redis;
const prefix = testPrefix();

beforeAll(async () => {
  api = await FakeWechatApi.start();
  redisUrl = await testRedisUrl();
  redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  await api?.close();
  redis?.disconnect();
  if (redisUrl) await deletePrefix(redisUrl, prefix);
});

const tokens = (cache: TokenCache = new MemoryTokenCache(), o: { now?: () => number; secret?: string } = {}) =>
  new AccessTokens({ base: api.url, appId: MP_APPID, secret: o.secret ?? MP_SECRET, cache, logger: silentLogger, now: o.now });

describe('Official Account access token', () => {
  it('is fetched once for concurrent callers and cached until shortly before it expires', async () => {
    let now = Date.now();
    const t = tokens(new MemoryTokenCache(), { now: () => now });
    const before = api.tokenRequests;
    const got = await Promise.all([t.get(), t.get(), t.get()]);
    expect(new Set(got).size).toBe(1);
    expect(api.tokenRequests - before).toBe(1);
    now += 7200_000 - 6 * 60_000; // still 6 minutes left: cached
    expect(await t.get()).toBe(got[0]);
    expect(api.tokenRequests - before).toBe(1);
    now += 2 * 60_000; // within the 5-minute margin: fetched again
    expect(await t.get()).not.toBe(got[0]);
    expect(api.tokenRequests - before).toBe(2);
  });

  it('is shared by instances through Redis: one fetch for two processes', async () => {
    const a = tokens(new RedisTokenCache(redis, prefix, MP_APPID));
    const b = tokens(new RedisTokenCache(redis, prefix, MP_APPID));
    const before = api.tokenRequests;
    const [ta, tb] = await Promise.all([a.get(), b.get()]);
    expect(ta).toBe(tb);
    expect(api.tokenRequests - before).toBe(1);
    expect(await b.get()).toBe(ta);
    expect(api.tokenRequests - before).toBe(1);
  });

  it('says what is wrong when WeChat refuses the AppSecret', async () => {
    const t = tokens(new MemoryTokenCache(), { secret: 'wrong-secret-0123456789' });
    await expect(t.get()).rejects.toMatchObject({ name: 'WechatApiError', errcode: 40125 });
  });
});

describe('customer-service messages', () => {
  it('sends a text message with the cached token', async () => {
    const cs = new CustomerService(tokens(), { base: api.url });
    const who = openId();
    await cs.sendText(who, '您好，外地丢失也可以补领。');
    expect(api.to(who)).toEqual([expect.objectContaining({ msgtype: 'text', content: '您好，外地丢失也可以补领。' })]);
  });

  it('refreshes the token on 40001 and sends', async () => {
    const cache = new MemoryTokenCache();
    const cs = new CustomerService(tokens(cache), { base: api.url });
    const who = openId();
    await cs.sendText(who, '第一条');
    const first = api.to(who)[0].token;
    api.revoke();
    const fetches = api.tokenRequests;
    await cs.sendText(who, '第二条');
    expect(api.tokenRequests).toBe(fetches + 1);
    const second = api.to(who)[1];
    expect(second.content).toBe('第二条');
    expect(second.token).not.toBe(first);
    expect((await cache.get())?.token).toBe(second.token);
  });

  it('treats 45015 (outside the 48-hour window) as permanent, sent once', async () => {
    const cs = new CustomerService(tokens(), { base: api.url });
    const who = openId();
    api.failFor.set(who, 45015);
    const before = api.sendRequests;
    const err = await cs.sendText(who, '工作人员回复').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentDeliveryError);
    expect(err).toMatchObject({ code: '45015' });
    expect(api.sendRequests - before).toBe(1);
  });

  it('leaves a busy system (-1) to be retried', async () => {
    const cs = new CustomerService(tokens(), { base: api.url });
    api.nextErrors.push(-1);
    const err = await cs.sendText(openId(), '稍后再试').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WechatApiError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
  });
});

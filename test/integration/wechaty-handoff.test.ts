/**
 * 转人工 from WeChat (Wechaty mock puppet): the citizen is queued, a member of staff claims and
 * replies through the real staff API, and the notices and replies reach the citizen's WeChat
 * through the outbound queue; the citizen's messages go to staff while staff hold the
 * conversation. In one process (no Redis), and across two processes' services on Redis with the
 * BullMQ outbound queue (the staff API in one, the bot in the other).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WECHATY_CHANNEL } from '../../src/channels/wechat/contacts.js';
import type { App } from '../../src/app.js';
import type { Services } from '../../src/services.js';
import { testApp, type TestApp } from '../support/app.js';
import { startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';
import { eventually } from '../support/wechat.js';
import { MockWechat } from '../support/wechaty.js';

async function staff(app: App, method: string, path: string, body?: unknown) {
  const headers = { ...(await staffHeaders(app, 'police')), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await app.request(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The whole path, with the staff API of `api` and the bot on `botServices`. */
async function handoffScenario(api: { app: App; services: Services }, botServices: Services, wx: MockWechat) {
  const c = wx.citizen('张大爷');
  await c.ask('身份证丢了怎么补办');
  const [queued] = await c.ask('转人工');
  expect(queued).toContain('正在为您转接公安人工服务');
  expect(queued).toMatch(/您是下一位|您前面还有 \d+ 位/);
  expect(queued).toContain('回复 1：取消排队');
  const conv = await botServices.records.conversationBySession(botServices.wechat.contacts.sessionId(WECHATY_CHANNEL, c.id));
  expect(conv).toMatchObject({ status: 'waiting', department: '公安', channel: WECHATY_CHANNEL, contact: c.id });

  let from = c.inbox.length;
  expect((await staff(api.app, 'POST', `/api/staff/conversations/${conv!.id}/claim`)).status).toBe(200);
  const [joined] = await c.collect(from);
  expect(joined).toContain('已为您接通人工服务');
  expect(joined).toContain('王警官');

  // While staff hold it the bot is silent and the citizen's message goes to staff.
  from = c.inbox.length;
  c.mock.say('我的身份证是在外地丢的，能在这里补吗').to(wx.world.me);
  await eventually(async () => {
    const t = await staff(api.app, 'GET', `/api/staff/conversations/${conv!.id}`);
    return t.body.messages.some((m: { role: string; text: string }) => m.role === 'citizen' && m.text.includes('外地丢的'));
  }, 10_000, 'the citizen message in the transcript');

  const said = await staff(api.app, 'POST', `/api/staff/conversations/${conv!.id}/messages`, { text: '您好，外地丢失也可以在本市任一派出所补领，请带上户口簿。' });
  expect(said.status).toBe(201);
  const replies = await c.collect(from);
  // Only the staff reply: nothing from the bot about the citizen's message.
  expect(replies).toEqual(['【人工服务·王警官】您好，外地丢失也可以在本市任一派出所补领，请带上户口簿。']);

  from = c.inbox.length;
  expect((await staff(api.app, 'POST', `/api/staff/conversations/${conv!.id}/close`)).status).toBe(200);
  const [closed] = await c.collect(from);
  expect(closed).toContain('本次人工服务已结束');
  expect(closed).toContain('非常满意');

  // Each message was delivered once and recorded as sent.
  const deliveries = await botServices.wechat.deliveries.ofConversation(conv!.id);
  expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
  expect(c.inbox.filter((m) => m.startsWith('【人工服务·王警官】'))).toHaveLength(1);
  // Back with the bot after the close.
  const [answer] = await c.ask('居住证怎么办理');
  expect(answer).toContain('居住证');
}

describe('转人工 over WeChat, in one process (no Redis)', () => {
  let t: TestApp;
  let wx: MockWechat;
  beforeAll(async () => {
    t = await testApp({ env: { PUBLIC_URL: 'https://zwfw.example.gov.cn' } });
    await ensureStaff(t.services);
    wx = await MockWechat.start({ services: t.services });
  });
  afterAll(async () => {
    await wx?.stop();
    await t?.dispose();
  });

  it('queues the citizen, and delivers the claim notice, the staff reply and the rating prompt to WeChat', async () => {
    expect(t.services.wechat.queues.wechat.kind).toBe('memory');
    await handoffScenario({ app: t.app, services: t.services }, t.services, wx);
  });
});

describe('转人工 over WeChat, staff API and bot in separate services on Redis + BullMQ', () => {
  let redisUrl: string;
  const prefix = testPrefix();
  const tmp = tempDir();
  let api: Govchat;
  let bot: TestApp;
  let wx: MockWechat;

  beforeAll(async () => {
    redisUrl = await testRedisUrl();
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, GOVCHAT_SECRET: 'test-secret-shared-by-instances' };
    api = await startGovchat({ env, sqlitePath: tmp.sqlitePath });
    bot = await testApp({ env, overrides: { sqlitePath: tmp.sqlitePath } });
    await Promise.all([api.services.wechat.ready(), bot.services.wechat.ready()]);
    wx = await MockWechat.start({ services: bot.services });
  });
  afterAll(async () => {
    await wx?.stop();
    await bot?.dispose();
    await api?.close();
    if (redisUrl) await deletePrefix(redisUrl, prefix);
    tmp.remove();
  });

  it('delivers staff messages from the API process to the bot process through the wechat-outbound queue, once', async () => {
    expect(bot.services.wechat.queues.wechat.kind).toBe('redis');
    await handoffScenario(api, bot.services, wx);
  });
});

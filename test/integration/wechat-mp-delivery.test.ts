/**
 * The Official Account's customer-service messages through a real local server standing in for
 * WeChat's API (token + custom/send): a slow answer delivered after "success", a long answer's
 * rest after the passive reply, a staff reply, 45015 recorded and not retried, 40001 refreshing
 * the token. In one process, then on Redis with `npm run worker`'s outbound worker and two API
 * instances sharing the MsgId dedupe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMpOutboundWorker } from '../../workers/wechat-outbound.js';
import { MP_CHANNEL } from '../../src/channels/wechat/contacts.js';
import { utf8Bytes } from '../../src/channels/wechat/layout.js';
import type { DialogueEngine } from '../../src/dialogue/engine.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { Services } from '../../src/services.js';
import type { App } from '../../src/app.js';
import { testApp, type TestApp } from '../support/app.js';
import { startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';
import { eventually, FakeWechatApi, MP_APPID, MP_SECRET, MP_TOKEN, nextMsgId, openId, parseReply, signedQuery, textXml } from '../support/wechat.js';

const PUBLIC = 'https://zwfw.example.gov.cn';
const mpEnv = (api: FakeWechatApi) => ({ WECHAT_MP_TOKEN: MP_TOKEN, WECHAT_MP_APPID: MP_APPID, WECHAT_MP_SECRET: MP_SECRET, WECHAT_API_BASE: api.url, WECHAT_MP_REPLY_TIMEOUT_MS: '300', PUBLIC_URL: PUBLIC });

/** Makes the engine slow for the messages asked while `slow.ms` is set (a language model taking its time). */
function slowEngine(s: Services): { ms: number } {
  const real = s.engine;
  const slow = { ms: 0 };
  const wrapped = Object.create(real) as DialogueEngine;
  wrapped.handle = async (input, stream) => {
    const wait = slow.ms;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    return real.handle(input, stream);
  };
  s.engine = wrapped;
  return slow;
}

const post = async (app: App, xml: string) => {
  const res = await app.request(`/api/wechat/mp?${signedQuery()}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
  expect(res.status).toBe(200);
  return res.text();
};

const conversationOf = (s: Services, who: string) => s.records.conversationBySession(s.wechat.contacts.sessionId(MP_CHANNEL, who));

describe('Official Account customer-service messages, in one process', () => {
  let api: FakeWechatApi;
  let t: TestApp;
  let slow: { ms: number };

  beforeAll(async () => {
    api = await FakeWechatApi.start();
    t = await testApp({ env: mpEnv(api) });
    await ensureStaff(t.services);
    slow = slowEngine(t.services);
  });
  afterAll(async () => {
    await t?.dispose();
    await api?.close();
  });

  it('answers "success" when the answer is slow, then sends it as a customer-service message; a retry meanwhile is answered once', async () => {
    const who = openId();
    slow.ms = 1200;
    const msgId = nextMsgId();
    const xml = textXml({ from: who, content: '身份证丢了怎么补办', msgId });
    expect(await post(t.app, xml)).toBe('success');
    expect(await post(t.app, xml)).toBe('success'); // WeChat's retry, while the answer is still being written
    slow.ms = 0;
    const [sent] = await api.waitFor(who);
    expect(sent.msgtype).toBe('text');
    expect(sent.content).toContain('居民身份证补领');
    expect(sent.content).toContain(`${PUBLIC}/guides/id-card-replacement`);
    const conv = await conversationOf(t.services, who);
    const msgs = await t.services.records.listMessages(conv!.id);
    expect(msgs.filter((m) => m.role === 'citizen')).toHaveLength(1);
    const bot = msgs.find((m) => m.role === 'bot')!;
    expect(await eventually(async () => ((await t.services.wechat.deliveries.get(bot.id))?.status === 'sent' ? t.services.wechat.deliveries.get(bot.id) : null))).toMatchObject({ channel: MP_CHANNEL, attempts: 1 });
    expect(api.to(who)).toHaveLength(1);
  });

  it('sends the rest of a long answer after the passive reply, every part within 2,048 bytes and no list item cut', async () => {
    const who = openId();
    const passive = parseReply(await post(t.app, textXml({ from: who, content: '办营业执照要带什么材料' })));
    expect(passive.Content).toMatch(/^（1\/(\d)）/);
    const total = Number(/^（1\/(\d)）/.exec(passive.Content)![1]);
    const rest = await api.waitFor(who, total - 1);
    const parts = [passive.Content, ...rest.map((m) => m.content)];
    parts.forEach((p, i) => {
      expect(p.startsWith(`（${i + 1}/${total}）`)).toBe(true);
      expect(utf8Bytes(p)).toBeLessThanOrEqual(2048);
    });
    // Every numbered item of the guide's materials is whole in one part.
    const conv = await conversationOf(t.services, who);
    const bot = (await t.services.records.listMessages(conv!.id)).find((m) => m.role === 'bot')!;
    const items = ((bot.payload!.blocks as Array<{ type: string; items?: string[] }>).find((b) => b.type === 'list')?.items ?? []);
    expect(items.length).toBeGreaterThan(3);
    const lines = parts.flatMap((p) => p.replace(/^（\d+\/\d+）/, '').split('\n'));
    items.forEach((item, i) => expect(lines).toContain(`${i + 1}. ${item}`));
  });

  it('delivers a staff reply to the Official Account user', async () => {
    const who = openId();
    await post(t.app, textXml({ from: who, content: '身份证丢了怎么补办' }));
    const queued = parseReply(await post(t.app, textXml({ from: who, content: '转人工' })));
    expect(queued.Content).toContain('正在为您转接公安人工服务');
    const conv = await conversationOf(t.services, who);
    const headers = { ...(await staffHeaders(t.app, 'police')), 'content-type': 'application/json' };
    expect((await t.app.request(`/api/staff/conversations/${conv!.id}/claim`, { method: 'POST', headers })).status).toBe(200);
    // While staff hold it, the citizen's message goes to them and WeChat gets "success".
    expect(await post(t.app, textXml({ from: who, content: '外地丢的也能补吗' }))).toBe('success');
    const res = await t.app.request(`/api/staff/conversations/${conv!.id}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: '可以的，带上户口簿到任一派出所即可。' }) });
    expect(res.status).toBe(201);
    const got = await api.waitFor(who, 2);
    expect(got[0].content).toContain('已为您接通人工服务');
    expect(got[1].content).toBe('【人工服务·王警官】可以的，带上户口簿到任一派出所即可。');
  });

  it('records 45015 (outside the 48-hour window) on the message and does not retry it', async () => {
    const who = openId();
    api.failFor.set(who, 45015);
    slow.ms = 600;
    expect(await post(t.app, textXml({ from: who, content: '居住证怎么办理' }))).toBe('success');
    slow.ms = 0;
    const conv = await eventually(() => conversationOf(t.services, who));
    const bot = await eventually(async () => (await t.services.records.listMessages(conv.id)).find((m) => m.role === 'bot'));
    const d = await eventually(async () => {
      const x = await t.services.wechat.deliveries.get(bot.id);
      return x?.status === 'failed' ? x : null;
    });
    expect(d).toMatchObject({ status: 'failed', attempts: 1, errorCode: '45015' });
    expect(d.error).toContain('48小时');
    expect(api.to(who)).toHaveLength(0);
  });

  it('fetches a new token when WeChat says the old one is invalid (40001)', async () => {
    const who = openId();
    api.revoke();
    const fetches = api.tokenRequests;
    slow.ms = 600;
    expect(await post(t.app, textXml({ from: who, content: '社保卡丢了怎么办' }))).toBe('success');
    slow.ms = 0;
    const [sent] = await api.waitFor(who);
    expect(sent.token).toBe(`TOKEN-${api.tokenRequests}`);
    expect(api.tokenRequests).toBe(fetches + 1);
  });
});

describe('Official Account on Redis: npm run worker sends, instances share the MsgId dedupe', () => {
  let api: FakeWechatApi;
  let redisUrl: string;
  const prefix = testPrefix();
  const tmp = tempDir();
  let a: Govchat;
  let b: Govchat;
  let worker: { close(): Promise<void> } | null = null;

  beforeAll(async () => {
    api = await FakeWechatApi.start();
    redisUrl = await testRedisUrl();
    const env = { ...mpEnv(api), REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
    a = await startGovchat({ env, sqlitePath: tmp.sqlitePath });
    b = await startGovchat({ env, sqlitePath: tmp.sqlitePath });
    worker = startMpOutboundWorker({ config: a.services.config, redis: a.services.redis!, db: a.services.database.db, logger: silentLogger });
  });
  afterAll(async () => {
    await worker?.close();
    await a?.close();
    await b?.close();
    await api?.close();
    if (redisUrl) await deletePrefix(redisUrl, prefix);
    tmp.remove();
  });

  it('answers a MsgId retried on another instance with the same reply, processed once', async () => {
    const who = openId();
    const xml = textXml({ from: who, content: '身份证丢了怎么补办', msgId: nextMsgId() });
    const first = await post(a.app, xml);
    const retry = await post(b.app, xml);
    expect(retry).toBe(first);
    expect(parseReply(first).Content).toContain('居民身份证补领');
    const conv = await conversationOf(a.services, who);
    expect((await a.services.records.listMessages(conv!.id)).filter((m) => m.role === 'citizen')).toHaveLength(1);
  });

  it('sends a slow answer through the wechat-outbound.wechat-mp BullMQ queue and its worker', async () => {
    const slow = slowEngine(a.services);
    const who = openId();
    slow.ms = 800;
    expect(await post(a.app, textXml({ from: who, content: '居住证怎么办理' }))).toBe('success');
    slow.ms = 0;
    expect(a.services.wechat.queues['wechat-mp'].kind).toBe('redis');
    const [sent] = await api.waitFor(who);
    expect(sent.content).toContain('居住证');
  });
});

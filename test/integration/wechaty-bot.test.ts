/**
 * The Wechaty bot with the real Wechaty library over its mock puppet, on the real services:
 * cited answers laid out for a phone, follow-ups, "1" for a suggestion, a form over several
 * messages, groups (answers only when mentioned), non-text messages, a conversation kept across
 * a restart of the bot process, and restarts with backoff when the puppet fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBox } from 'file-box';
import { types } from 'wechaty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { WECHATY_CHANNEL } from '../../src/channels/wechat/contacts.js';
import { utf8Bytes } from '../../src/channels/wechat/layout.js';
import { testApp, type TestApp } from '../support/app.js';
import { BOT_NAME, MockWechat, roomInbox } from '../support/wechaty.js';
import { eventually } from '../support/wechat.js';

const PUBLIC = 'https://zwfw.example.gov.cn';
let t: TestApp;
let wx: MockWechat;
/** Every log line of the services and the bot, to check what they say and what they never say. */
const logs: string[] = [];
const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
const citizenIds: string[] = [];

beforeAll(async () => {
  t = await testApp({ env: { PUBLIC_URL: PUBLIC }, clock: () => new Date('2026-12-01T10:00:00+08:00'), logger });
  wx = await MockWechat.start({ services: t.services, logger });
});
afterAll(async () => {
  await wx?.stop();
  await t?.dispose();
});

describe('Wechaty bot (mock puppet)', () => {
  it('answers a question with the cited guide, its link and 回复 1/2/3 choices, in plain text', async () => {
    const zhang = wx.citizen('张三');
    citizenIds.push(zhang.id);
    const [answer, ...more] = await zhang.ask('身份证丢了怎么补办');
    expect(more).toEqual([]);
    expect(answer).toContain('【居民身份证补领');
    expect(answer).toContain('以上内容摘自「居民身份证补领」办事指南');
    expect(answer).toContain(`${PUBLIC}/guides/id-card-replacement`);
    expect(answer).toMatch(/^1\. /m);
    expect(answer).toMatch(/回复 1：.+\n回复 2：.+\n回复 3：.+$/);
    expect(answer).not.toMatch(/\*\*|<[a-z/]|\]\(|^#/m);
    expect(utf8Bytes(answer)).toBeLessThanOrEqual(2048);
    const conv = await t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(WECHATY_CHANNEL, zhang.id));
    expect(conv).toMatchObject({ channel: WECHATY_CHANNEL, contact: zhang.id });
  });

  it('follows up in the same chat, and "1" picks the first suggestion', async () => {
    const li = wx.citizen('李四');
    await li.ask('身份证丢了怎么补办');
    const [fee] = await li.ask('要多少钱');
    expect(fee).toContain('居民身份证补领 · 收费标准');
    expect(fee).toContain('40元');
    const first = /回复 1：(.+)/.exec(fee)![1];
    expect(first).toMatch(/材料/);
    const [picked] = await li.ask('1');
    expect(picked).toContain('居民身份证补领 · 申请材料');
  });

  it('fills a form over several messages, with the ID number masked in the chat', async () => {
    const wang = wx.citizen('王五');
    citizenIds.push(wang.id);
    const [start] = await wang.ask('我要办居住证');
    expect(start).toContain('《居住证申领表》');
    expect(start).toContain('姓名');
    const [name] = await wang.ask('王五');
    expect(name).toContain('身份证');
    const [id] = await wang.ask('110101199003071233');
    expect(id).toContain('1101**********1233');
    expect(id).not.toContain('110101199003071233');
    expect(id).toContain('电话');
    const [phone] = await wang.ask('13912345678');
    expect(phone).toContain('139****5678');
    expect(phone).toContain('回复 1：确认提交');
    const [done] = await wang.ask('1');
    expect(done).toContain('已确认');
    expect(done).toMatch(/https?:\/\/\S+draft=/);
    const conv = await t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(WECHATY_CHANNEL, wang.id));
    const [draft] = await t.services.records.draftsOf(conv!.id);
    expect(draft).toMatchObject({ form_id: 'residence-permit', status: 'confirmed' });
    expect(JSON.parse(draft.data)).toMatchObject({ name: '王五', id_number: '110101199003071233', phone: '13912345678' });
  });

  it('in a group answers only when mentioned, to the one who asked', async () => {
    const zhao = wx.citizen('赵六');
    const qian = wx.citizen('钱七');
    const room = wx.room('社区居民群', [zhao, qian]);
    const said = roomInbox(room);
    zhao.mock.say('大家好，明天社区有活动吗').to(room);
    qian.mock.say(`@${BOT_NAME} 身份证丢了怎么补办`, [wx.world.me]).to(room);
    await eventually(() => said.length > 0, 10_000, 'an answer in the group');
    await wx.bot.idle();
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('居民身份证补领');
    // Each member has a conversation of their own in the group.
    const key = `room:${room.id}:${qian.id}`;
    const conv = await t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(WECHATY_CHANNEL, key));
    expect(conv?.contact).toBe(key);
    const mine = await t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(WECHATY_CHANNEL, `room:${room.id}:${zhao.id}`));
    expect(mine).toBeUndefined();
  });

  it('answers a picture politely: only text is understood, 转人工 is offered', async () => {
    const sun = wx.citizen('孙八');
    const [reply] = await sun.ask(FileBox.fromBase64(Buffer.from('not really a picture').toString('base64'), 'photo.jpg'));
    expect(reply).toContain('只能看懂文字');
    expect(reply).toContain('图片');
    expect(reply).toContain('转人工');
    // Nothing reached the dialogue.
    expect(await t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(WECHATY_CHANNEL, sun.id))).toBeUndefined();
  });

  it('logs the log-in QR code as a URL, and puppet errors', async () => {
    wx.world.mocker.scan('https://login.weixin.qq.com/l/IcQ0kqTest', types.ScanStatus.Waiting);
    const scan = await eventually(() => logs.map((l) => JSON.parse(l) as { msg: string; qrcodeUrl?: string }).find((l) => l.qrcodeUrl), 5000, 'the QR code in the log');
    expect(scan.qrcodeUrl).toBe(`https://wechaty.js.org/qrcode/${encodeURIComponent('https://login.weixin.qq.com/l/IcQ0kqTest')}`);
    expect(scan.msg).toMatch(/scan this QR code/);
    wx.world.puppet.emit('error', { gerror: 'room payload could not be loaded' });
    await eventually(() => logs.some((l) => l.includes('Wechaty puppet error') && l.includes('room payload could not be loaded')), 5000, 'the puppet error in the log');
    expect(wx.bot.state).toBe('online');
  });

  it('never writes a contact id or a citizen\'s ID number or phone to the log', () => {
    expect(logs.length).toBeGreaterThan(10);
    const all = logs.join('\n');
    for (const id of citizenIds) expect(all).not.toContain(id);
    expect(all).not.toContain('110101199003071233');
    expect(all).not.toContain('13912345678');
  });

  it('asks for a shorter message beyond MAX_MESSAGE_CHARS', async () => {
    const zhou = wx.citizen('周九');
    const [reply] = await zhou.ask('请问'.repeat(300));
    expect(reply).toContain('不超过 500 个字');
  });
});

describe('Wechaty bot restarts', () => {
  it('tells a contact over RATE_LIMIT_SESSION_PER_MIN to slow down, without calling the dialogue; others are unaffected', async () => {
    const limited = await testApp({ env: { RATE_LIMIT_SESSION_PER_MIN: '2' } });
    const lw = await MockWechat.start({ services: limited.services });
    try {
      const wang = lw.citizen('王五');
      await wang.ask('身份证丢了怎么补办');
      await wang.ask('要多少钱');
      expect(await wang.ask('护照怎么办')).toEqual([expect.stringContaining('请等一分钟再发')]);
      const conv = await limited.services.records.conversationBySession(limited.services.wechat.contacts.sessionId(WECHATY_CHANNEL, wang.id));
      expect((await limited.services.records.listMessages(conv!.id)).filter((m) => m.role === 'citizen').map((m) => m.text)).toEqual(['身份证丢了怎么补办', '要多少钱']);
      const [other] = await lw.citizen('赵六').ask('护照怎么办');
      expect(other).toContain('护照');
    } finally {
      await lw.stop();
      await limited.dispose();
    }
  });

  it('keeps a contact\'s conversation across a restart of the bot process (same database, no GOVCHAT_SECRET)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govchat-wechaty-restart-'));
    const sqlitePath = join(dir, 'records.sqlite');
    try {
      const first = await testApp({ overrides: { sqlitePath } });
      const bot1 = await MockWechat.start({ services: first.services });
      const wu = bot1.citizen('吴十', 'wxid_wushi_restart');
      const [answer] = await wu.ask('身份证丢了怎么补办');
      expect(answer).toContain('居民身份证补领');
      await bot1.stop();
      await first.dispose();

      const second = await testApp({ overrides: { sqlitePath } });
      const bot2 = await MockWechat.start({ services: second.services });
      try {
        const again = bot2.citizen('吴十', 'wxid_wushi_restart');
        const [fee] = await again.ask('要多少钱');
        expect(fee).toContain('居民身份证补领 · 收费标准');
      } finally {
        await bot2.stop();
        await second.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries a puppet that does not start, with backoff, then answers', async () => {
    const flaky = await MockWechat.start({ services: t.services, failStarts: 2, backoff: { baseMs: 20, maxMs: 100 } });
    try {
      expect(flaky.worlds).toHaveLength(3);
      expect(flaky.bot.restartCount).toBe(2);
      const [answer] = await flaky.citizen('郑十一').ask('身份证丢了怎么补办');
      expect(answer).toContain('居民身份证补领');
    } finally {
      await flaky.stop();
    }
  });

  it('restarts with a fresh puppet after a lost connection and keeps answering', async () => {
    const c = wx.citizen('冯十二');
    await c.ask('身份证丢了怎么补办');
    const before = wx.worlds.length;
    wx.world.puppet.emit('error', { gerror: 'read ECONNRESET (puppet service connection lost)' });
    await eventually(() => wx.worlds.length === before + 1 && wx.bot.state === 'waiting_login', 10_000, 'a restarted bot');
    await wx.login();
    const [fee] = await c.ask('要多少钱');
    expect(fee).toContain('居民身份证补领 · 收费标准');
  });
});

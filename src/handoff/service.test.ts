/**
 * The handoff service in one process (in-memory queue, events, timers) with a clock the tests
 * move: triggers, escalation and the left-message offer, the idle close, staffed hours, ratings,
 * a restart that rebuilds the queue from the database.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { chat, startGovchat, tempDir, type Govchat } from '../../test/support/govchat.js';
import { principal } from '../../test/support/staff.js';
import { WaitEstimator, waitText } from './eta.js';
import { ratingAsksForHelp } from './service.js';
import type { HandoffStore } from './store.js';
import type { StaffEvent } from './views.js';

const MIN = 60_000;
const dirs: Array<ReturnType<typeof tempDir>> = [];
const running: Govchat[] = [];

async function govchat(env: Record<string, string> = {}, sqlitePath?: string) {
  const clock = { t: Date.now() };
  const tmp = sqlitePath ? null : tempDir();
  if (tmp) dirs.push(tmp);
  const gov = await startGovchat({
    env: { HANDOFF_MAX_WAIT_MINUTES: '10', HANDOFF_LEFT_MESSAGE_AFTER_MINUTES: '5', HANDOFF_IDLE_CLOSE_MINUTES: '15', ...env },
    sqlitePath: sqlitePath ?? tmp!.sqlitePath,
    now: () => clock.t,
  });
  running.push(gov);
  const svc = gov.services.handoff.service;
  const police = await principal(gov.services, 'police');
  const staffEvents: StaffEvent[] = [];
  await gov.services.handoff.events.subscribe('staff', (e) => staffEvents.push(e as StaffEvent));
  return {
    gov,
    svc,
    police,
    clock,
    staffEvents,
    sqlitePath: sqlitePath ?? tmp!.sqlitePath,
    advance: (ms: number) => (clock.t += ms),
    convOf: async (sessionId: string) => (await gov.services.records.conversationBySession(sessionId))!,
    handoffOf: async (conversationId: string) => (await gov.services.handoff.store.current(conversationId))!,
    messages: async (conversationId: string) => gov.services.records.listMessages(conversationId),
  };
}

afterEach(async () => {
  for (const g of running.splice(0)) await g.close();
});
afterAll(() => {
  for (const d of dirs) d.remove();
});

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('handoff service', () => {
  it('escalates a long wait, then offers a left message; a phone number ends the wait', async () => {
    const t = await govchat();
    const a = await chat(t.gov.app, '身份证丢了怎么补办');
    await chat(t.gov.app, '转人工', a.sessionId);
    const conv = await t.convOf(a.sessionId);
    const h = await t.handoffOf(conv.id);
    expect(h).toMatchObject({ status: 'waiting', priority: 0, department: '公安' });

    // Not due yet: nothing happens.
    t.advance(9 * MIN);
    await t.svc.tick(h.id);
    expect((await t.handoffOf(conv.id)).escalatedAt).toBeNull();

    // A later, normal arrival, then the first one's wait runs past the limit.
    const b = await chat(t.gov.app, '身份证丢了怎么补办');
    await chat(t.gov.app, '人工客服', b.sessionId);
    const convB = await t.convOf(b.sessionId);
    t.advance(1 * MIN + 1);
    await t.svc.tick(h.id);
    const up = await t.handoffOf(conv.id);
    expect(up.priority).toBe(1);
    expect(up.escalatedAt).toBe(t.clock.t);
    expect(up.summary.priorityReasons).toContain('escalated');
    await settle();
    expect(t.staffEvents.find((e) => e.type === 'queue' && e.action === 'escalated' && e.conversationId === conv.id)).toBeTruthy();
    expect((await t.messages(conv.id)).map((m) => m.text).join('\n')).toMatch(/让您久等了，已为您优先安排/);
    const queue = await t.svc.list(t.police, '公安');
    expect(queue.map((i) => i.conversationId).slice(0, 2)).toEqual([conv.id, convB.id]);
    expect(queue[0].waitingSeconds).toBe(Math.round((t.clock.t - up.requestedAt) / 1000));

    // Then, still waiting, the left-message offer.
    t.advance(5 * MIN);
    await t.svc.tick(h.id);
    expect((await t.handoffOf(conv.id)).offeredAt).toBe(t.clock.t);
    expect((await t.messages(conv.id)).map((m) => m.text).join('\n')).toMatch(/也可以直接留言并留下联系电话/);

    const left = await chat(t.gov.app, '我下午有事，麻烦回电话 13812345678', a.sessionId);
    expect(left.text).toMatch(/已记录您的留言.*138\*\*\*\*5678/);
    expect(left.handoff).toMatchObject({ status: 'closed', leftMessage: true });
    expect((await t.handoffOf(conv.id))).toMatchObject({ status: 'left_message', callbackPhone: '13812345678' });
    expect((await t.convOf(a.sessionId)).status).toBe('closed');
    expect((await t.svc.list(t.police, '公安')).map((i) => i.conversationId)).toEqual([convB.id]);
    const callbacks = await t.svc.callbacks(t.police, '公安');
    expect(callbacks[0]).toMatchObject({ conversationId: conv.id, phone: '13812345678', message: '我下午有事，麻烦回电话 13812345678' });
  });

  it('closes a conversation staff leave idle, with a notice and a rating request; a message keeps it open', async () => {
    const t = await govchat();
    const a = await chat(t.gov.app, '身份证丢了怎么补办');
    await chat(t.gov.app, '转人工', a.sessionId);
    const conv = await t.convOf(a.sessionId);
    await t.svc.claim(t.police, conv.id);
    const h = await t.handoffOf(conv.id);

    t.advance(10 * MIN);
    expect((await chat(t.gov.app, '还在吗', a.sessionId)).type).toBe('staff');
    t.advance(10 * MIN);
    await t.svc.tick(h.id);
    expect((await t.convOf(a.sessionId)).status).toBe('staff');

    t.advance(5 * MIN + 1);
    await t.svc.tick(h.id);
    expect((await t.convOf(a.sessionId)).status).toBe('closed');
    expect(await t.handoffOf(conv.id)).toMatchObject({ status: 'closed', closedBy: 'system:idle' });
    const last = (await t.messages(conv.id)).at(-1)!;
    expect(last.text).toMatch(/较长时间没有新的消息.*自动结束/);
    expect(last.payload).toMatchObject({ ratingRequested: true });
    await expect(t.svc.staffSay(t.police, conv.id, '您好')).rejects.toMatchObject({ status: 409 });
    // Ticking again changes nothing.
    await t.svc.tick(h.id);
    expect((await t.messages(conv.id)).filter((m) => /自动结束/.test(m.text))).toHaveLength(1);
  });

  it('offers a left message outside staffed hours instead of queueing', async () => {
    const t = await govchat({ HANDOFF_HOURS: 'default=never;人社=Mon-Fri 09:00-17:00' });
    const a = await chat(t.gov.app, '身份证丢了怎么补办');
    const r = await chat(t.gov.app, '转人工', a.sessionId);
    expect(r.type).toBe('handoff');
    expect(r.text).toMatch(/现在不是公安的人工服务时间（暂无人工服务时间）.*留言.*联系电话/);
    expect(r.handoff).toMatchObject({ status: 'waiting', position: null });
    const conv = await t.convOf(a.sessionId);
    expect((await t.handoffOf(conv.id)).status).toBe('message');
    expect(await t.svc.list(t.police, '公安')).toEqual([]);

    expect((await chat(t.gov.app, '我想问补办身份证能不能加急', a.sessionId)).text).toMatch(/请再留下您的联系电话/);
    const done = await chat(t.gov.app, '0755-12345678', a.sessionId);
    expect(done.text).toMatch(/已记录您的留言/);
    expect(await t.handoffOf(conv.id)).toMatchObject({ status: 'left_message', callbackPhone: '075512345678' });
    expect((await t.handoffOf(conv.id)).leftMessage).toMatch(/加急/);

    // An offer nobody answers ends after the idle time, back to the bot.
    const b = await chat(t.gov.app, '身份证丢了怎么补办');
    await chat(t.gov.app, '转人工', b.sessionId);
    const convB = await t.convOf(b.sessionId);
    t.advance(15 * MIN + 1);
    await t.svc.tick((await t.handoffOf(convB.id)).id);
    expect((await t.convOf(b.sessionId)).status).toBe('bot');
    expect((await chat(t.gov.app, '补办要多少钱', b.sessionId)).type).toBe('answer');
  });

  it('queues after two unanswered questions only with consent, and a complaint with priority', async () => {
    const t = await govchat();
    const a = await chat(t.gov.app, '火星上怎么办理签证');
    const second = await chat(t.gov.app, '月球户口怎么迁移到木星', a.sessionId);
    expect(second.type).toBe('no_answer');
    expect(second.text).toMatch(/需要为您转接人工服务吗/);
    expect((await t.convOf(a.sessionId)).status).toBe('bot');
    const yes = await chat(t.gov.app, '好的', a.sessionId);
    expect(yes.type).toBe('handoff');
    const conv = await t.convOf(a.sessionId);
    expect(await t.handoffOf(conv.id)).toMatchObject({ reason: 'no_answer', department: '综合', status: 'waiting' });

    // A complaint fills the 12345 form first; once confirmed, it is put in front of a person too.
    const c0 = await chat(t.gov.app, '我要投诉窗口工作人员态度差，昨天在政务服务中心二楼');
    expect(c0.type).toBe('form');
    let c = c0;
    for (const say of ['13912345678', '确认']) if (c.type === 'form') c = await chat(t.gov.app, say, c0.sessionId);
    expect(c.handoff).toMatchObject({ status: 'waiting' });
    const convC = await t.convOf(c.sessionId);
    expect(await t.handoffOf(convC.id)).toMatchObject({ reason: 'complaint', priority: 1 });
    expect((await t.handoffOf(convC.id)).summary.text).toMatch(/投诉/);
  });

  it('starts a handoff after a low rating that asks for help (for the ratings code)', async () => {
    expect(ratingAsksForHelp(1, '问题没解决，请工作人员联系我')).toBe(true);
    expect(ratingAsksForHelp(2, '转人工')).toBe(true);
    expect(ratingAsksForHelp(1, '太慢了')).toBe(false);
    expect(ratingAsksForHelp(5, '请工作人员联系我')).toBe(false);
    expect(ratingAsksForHelp(1, null)).toBe(false);

    const t = await govchat();
    const a = await chat(t.gov.app, '失业金怎么领');
    const conv = await t.convOf(a.sessionId);
    expect(await t.svc.requestForRating(conv.id, 4, '请联系我')).toBeNull();
    const r = await t.svc.requestForRating(conv.id, 1, '问题没解决，请工作人员联系我');
    expect(r?.handoff).toMatchObject({ status: 'waiting', department: '人社' });
    expect(await t.handoffOf(conv.id)).toMatchObject({ reason: 'rating' });
    expect((await t.messages(conv.id)).at(-1)!.role).toBe('system');
    // Asking twice does not queue twice.
    expect(await t.svc.requestForRating(conv.id, 1, '请工作人员联系我')).toBeNull();
  });

  it('loses no waiting conversation across a restart: the queue is rebuilt from the database', async () => {
    const t = await govchat();
    const a = await chat(t.gov.app, '身份证丢了怎么补办');
    await chat(t.gov.app, '转人工', a.sessionId);
    const conv = await t.convOf(a.sessionId);
    await t.gov.close();
    running.splice(running.indexOf(t.gov), 1);

    const again = await govchat({}, t.sqlitePath);
    const items = await again.svc.list(again.police, '公安');
    expect(items.map((i) => i.conversationId)).toEqual([conv.id]);
    expect((await again.svc.claim(again.police, conv.id)).status).toBe('staff');
  });

  it('estimates the wait from recent handling times', async () => {
    const fake = (durations: number[], staff: number) => ({ handling: async () => ({ durations, staff }) }) as unknown as HandoffStore;
    expect(await new WaitEstimator(fake([], 0), 240).eta('公安', 3)).toBe(720);
    expect(await new WaitEstimator(fake([60_000, 120_000, 180_000], 2), 240).eta('公安', 3)).toBe(180);
    expect(waitText(3, 180)).toBe('您前面还有 2 位，预计等待约 3 分钟。');
    expect(waitText(1, 20)).toBe('您是下一位，预计等待约 1 分钟。');
    expect(waitText(null, null)).toBe('');
  });

  it('stops start-up on bad handoff settings, naming the variable', () => {
    expect(() => loadConfig({ HANDOFF_HOURS: '公安=Mon-Fri 9-5' })).toThrow(ConfigError);
    expect(() => loadConfig({ HANDOFF_HOURS: '公安=Mon-Fri 9-5' })).toThrow(/HANDOFF_HOURS=.*not a time HH:MM/);
    expect(() => loadConfig({ HANDOFF_MAX_WAIT_MINUTES: 'soon' })).toThrow(/HANDOFF_MAX_WAIT_MINUTES=.*not a number of minutes/);
    expect(() => loadConfig({ HANDOFF_TIMEZONE: 'Mars/Olympus' })).toThrow(/HANDOFF_TIMEZONE/);
    expect(loadConfig({ HANDOFF_IDLE_CLOSE_MINUTES: '0.5' }).HANDOFF_IDLE_CLOSE_MINUTES).toBe(0.5);
  });
});

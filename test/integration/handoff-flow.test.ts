/**
 * The handoff over HTTP on a real Redis (unique key prefix) and a real server: citizen → queue →
 * claim → messages both ways → close → rating prompt, the two-claims race, departments, errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { principal, staffHeaders, type StaffKey } from '../support/staff.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { openSSE, type SSEClient } from '../support/sse.js';

let gov: Govchat;
let redisUrl: string;
const prefix = testPrefix();
const tmp = tempDir();
const streams: SSEClient[] = [];

beforeAll(async () => {
  redisUrl = await testRedisUrl();
  gov = await startGovchat({ env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix }, sqlitePath: tmp.sqlitePath, listen: true });
});

afterAll(async () => {
  for (const s of streams) s.close();
  await gov?.close();
  await deletePrefix(redisUrl, prefix);
  tmp.remove();
});

async function staff(who: StaffKey, method: string, path: string, body?: unknown) {
  const headers = { ...(await staffHeaders(gov.url, who)), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${gov.url}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function sse(path: string, headers: Record<string, string> = {}) {
  const s = await openSSE(`${gov.url}${path}`, headers);
  streams.push(s);
  expect(s.status).toBe(200);
  await s.next((e) => e.event === 'ready');
  return s;
}

/** A citizen who asked about a 公安 service and then for a person. */
async function waitingCitizen(first = '身份证丢了怎么补办', ask = '转人工') {
  const a = await chat(gov.url, first);
  const h = await chat(gov.url, ask, a.sessionId);
  const conv = await gov.services.records.conversationBySession(a.sessionId);
  return { sessionId: a.sessionId, reply: h, conversationId: conv!.id };
}

describe('handoff over HTTP with Redis', () => {
  it('runs the full path: citizen → queue → claim → messages both ways → close → rating prompt', async () => {
    const staffEvents = await sse('/api/staff/events', await staffHeaders(gov.url, 'police'));

    const answer = await chat(gov.url, '身份证丢了怎么补办');
    expect(answer.type).toBe('answer');
    const handoff = await chat(gov.url, '转人工', answer.sessionId);
    expect(handoff.type).toBe('handoff');
    expect(handoff.handoff).toMatchObject({ status: 'waiting', department: '公安' });
    expect(handoff.handoff!.position).toBeGreaterThanOrEqual(1);
    expect(handoff.handoff!.etaSeconds).toBeGreaterThan(0);
    expect(handoff.text).toMatch(/(前面还有 \d+ 位|您是下一位)，预计等待约 \d+ 分钟/);
    const conversationId = (await gov.services.records.conversationBySession(answer.sessionId))!.id;

    // Staff hear of it at once, with the summary.
    const added = await staffEvents.json<{ action: string; item: { conversationId: string; summary: { questions: string[]; guideTitle: string } } }>(
      (e) => e.event === 'queue' && JSON.parse(e.data).conversationId === conversationId,
    );
    expect(added.action).toBe('added');
    expect(added.item.summary.questions).toContain('身份证丢了怎么补办');
    expect(added.item.summary.guideTitle).toMatch(/身份证/);

    const queue = await staff('police', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((i: { conversationId: string }) => i.conversationId === conversationId);
    expect(item).toMatchObject({ department: '公安', reason: 'handoff', priority: 0 });
    expect(item.waitingSeconds).toBeGreaterThanOrEqual(0);
    expect(typeof item.summary.text).toBe('string');

    // The citizen's stream: current state first, then what staff do.
    const citizen = await sse(`/api/sessions/${answer.sessionId}/events`);
    expect(await citizen.json((e) => e.event === 'handoff')).toMatchObject({ status: 'waiting' });

    const claim = await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`);
    expect(claim.status).toBe(200);
    const police = await principal(gov.services, 'police');
    expect(claim.body).toMatchObject({ conversationId, status: 'staff', assignedTo: police.id });
    const joined = await citizen.json<{ role: string; text: string }>((e) => e.event === 'message');
    expect(joined.role).toBe('system');
    expect(joined.text).toMatch(/已为您接通人工服务/);
    expect(await citizen.json((e) => e.event === 'handoff')).toMatchObject({ status: 'staff' });

    // While staff hold it the bot is silent: the reply is of type staff and the message goes to staff.
    const said = await chat(gov.url, '我的身份证是在外地丢的，能在这里补吗', answer.sessionId);
    expect(said.type).toBe('staff');
    expect(said.text).toBe('');
    expect(said.handoff).toMatchObject({ status: 'staff' });
    const toStaff = await staffEvents.json<{ conversationId: string; message: { text: string; role: string } }>((e) => e.event === 'message');
    expect(toStaff).toMatchObject({ conversationId, message: { role: 'citizen', text: '我的身份证是在外地丢的，能在这里补吗' } });

    const reply = await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '您好，外地丢失也可以在本市任一派出所补领。' });
    expect(reply.status).toBe(201);
    const got = await citizen.json<{ id: string; role: string; author: string; text: string }>((e) => e.event === 'message');
    expect(got).toMatchObject({ role: 'staff', author: '王警官', text: '您好，外地丢失也可以在本市任一派出所补领。' });
    expect(citizen.events.find((e) => e.event === 'message' && e.id === got.id)).toBeTruthy();

    // Polling sees the same, after the citizen's message.
    const polled = await fetch(`${gov.url}/api/sessions/${answer.sessionId}/messages?after=${said.messageId}`);
    expect(polled.status).toBe(200);
    const items = (await polled.json()).items as Array<{ role: string; text: string }>;
    expect(items.map((m) => m.role)).toEqual(['staff']);

    // The transcript shows what the bot's answer rested on.
    const t = await staff('police', 'GET', `/api/staff/conversations/${conversationId}`);
    expect(t.status).toBe(200);
    const bot = t.body.messages.find((m: { role: string; type: string }) => m.role === 'bot' && m.type === 'answer');
    expect(bot.evidence.chunks.length).toBeGreaterThan(0);
    expect(bot.evidence.chunks[0].guideTitle).toBeTruthy();
    expect(t.body.messages.map((m: { role: string }) => m.role)).toEqual(expect.arrayContaining(['citizen', 'bot', 'system', 'staff']));
    expect(t.body.handoff).toMatchObject({ status: 'staff', claimedBy: police.id, department: '公安' });
    expect(Array.isArray(t.body.drafts)).toBe(true);

    const closed = await staff('police', 'POST', `/api/staff/conversations/${conversationId}/close`);
    expect(closed.status).toBe(200);
    const bye = await citizen.json<{ ratingRequested?: boolean; text: string }>((e) => e.event === 'message');
    expect(bye.ratingRequested).toBe(true);
    expect(bye.text).toMatch(/评价/);
    expect(await citizen.json((e) => e.event === 'handoff')).toMatchObject({ status: 'closed' });

    // The bot answers again after the close.
    const after = await chat(gov.url, '补办要多少钱', answer.sessionId);
    expect(after.type).toBe('answer');
    expect(after.handoff).toMatchObject({ status: 'closed' });

    const entries = (await gov.services.staff.audit.query({})).filter((e) => e.target === conversationId).reverse();
    expect(entries.map((e) => e.action)).toEqual(['handoff.claim', 'handoff.message', 'conversation.view', 'handoff.close']);
    expect(entries.every((e) => e.actor === police.id)).toBe(true);
  });

  it('lets exactly one of two simultaneous claims win; the other gets 409', async () => {
    for (const [a, b] of [
      ['police', 'police2'],
      ['admin', 'admin'],
      ['police2', 'admin'],
    ] as Array<[StaffKey, StaffKey]>) {
      const { conversationId } = await waitingCitizen();
      const path = `/api/staff/conversations/${conversationId}/claim`;
      const results = await Promise.all([staff(a, 'POST', path), staff(b, 'POST', path)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.error.code).toBe('already_claimed');
      const winner = results.find((r) => r.status === 200)!;
      const conv = await gov.services.records.getConversation(conversationId);
      expect(conv).toMatchObject({ status: 'staff', assigned_to: winner.body.assignedTo });
      const q = await staff('admin', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
      expect(q.body.items.some((i: { conversationId: string }) => i.conversationId === conversationId)).toBe(false);
    }
  });

  it('lets one claim win when many arrive inside the same moment (service level, past the early checks)', async () => {
    for (let round = 0; round < 5; round++) {
      const { conversationId } = await waitingCitizen();
      const svc = gov.services.handoff.service;
      const results = await Promise.allSettled((await Promise.all((['police', 'police2', 'admin', 'police'] as const).map((k) => principal(gov.services, k)))).map((p) => svc.claim(p, conversationId)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as { status: number }).status).toBe(409);
      const rows = await gov.services.handoff.store.ofConversation(conversationId);
      expect(rows.filter((h) => h.status === 'staff')).toHaveLength(1);
    }
  });

  it('lets agents act on their own departments only, and nobody without credentials', async () => {
    const { conversationId } = await waitingCitizen();
    expect((await staff('hr', 'POST', `/api/staff/conversations/${conversationId}/claim`)).status).toBe(403);
    expect((await staff('hr', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`)).status).toBe(403);
    const hrQueue = await staff('hr', 'GET', '/api/staff/queue');
    expect(hrQueue.body.items.every((i: { department: string }) => i.department === '人社')).toBe(true);
    const anon = await fetch(`${gov.url}/api/staff/queue`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe('unauthorized');
    expect((await fetch(`${gov.url}/api/staff/events`)).status).toBe(401);
  });

  it('answers illegal transitions and bad input with 409 / 400 and the error shape', async () => {
    const fresh = await chat(gov.url, '身份证丢了怎么补办');
    const convId = (await gov.services.records.conversationBySession(fresh.sessionId))!.id;
    const close = await staff('admin', 'POST', `/api/staff/conversations/${convId}/close`);
    expect(close.status).toBe(409);
    expect(close.body.error.code).toBe('illegal_transition');

    const { conversationId } = await waitingCitizen();
    const early = await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '您好' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_held');
    expect((await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '   ' })).status).toBe(400);
    expect((await staff('police', 'POST', `/api/staff/conversations/${conversationId}/transfer`, { department: '火星局' })).status).toBe(400);
    expect((await staff('police', 'POST', '/api/staff/conversations/c_nothing/claim')).status).toBe(404);

    await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`);
    const other = await staff('police2', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '我来' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('not_assigned');
  });

  it('transfers a held conversation to another department, where its staff see and take it', async () => {
    const { conversationId, sessionId } = await waitingCitizen();
    await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`);
    const hrEvents = await sse('/api/staff/events', await staffHeaders(gov.url, 'hr'));
    const moved = await staff('police', 'POST', `/api/staff/conversations/${conversationId}/transfer`, { department: '人社', note: '咨询社保卡' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ status: 'waiting', department: '人社', assignedTo: null });
    const seen = await hrEvents.json<{ action: string; department: string; from?: string }>((e) => e.event === 'queue' && JSON.parse(e.data).conversationId === conversationId);
    expect(seen).toMatchObject({ action: 'added', department: '人社' });
    const hrQueue = await staff('hr', 'GET', '/api/staff/queue');
    expect(hrQueue.body.items.map((i: { conversationId: string }) => i.conversationId)).toContain(conversationId);
    expect((await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`)).status).toBe(403);
    expect((await staff('hr', 'POST', `/api/staff/conversations/${conversationId}/claim`)).status).toBe(200);
    const msgs = await (await fetch(`${gov.url}/api/sessions/${sessionId}/messages`)).json();
    expect(msgs.items.map((m: { text: string }) => m.text).join('\n')).toMatch(/正在为您转接到人社/);
  });

  it('lets the citizen cancel while waiting; the bot answers again', async () => {
    const { sessionId, conversationId } = await waitingCitizen();
    const r = await chat(gov.url, '取消排队', sessionId);
    expect(r.text).toMatch(/已为您取消人工排队/);
    expect(r.handoff).toBeNull();
    expect((await gov.services.records.getConversation(conversationId))!.status).toBe('bot');
    const q = await staff('admin', 'GET', '/api/staff/queue');
    expect(q.body.items.some((i: { conversationId: string }) => i.conversationId === conversationId)).toBe(false);
    expect((await chat(gov.url, '补办要多少钱', sessionId)).type).toBe('answer');
  });

  it('cancels from the widget button; a second cancel is refused', async () => {
    const { sessionId, conversationId } = await waitingCitizen();
    const url = `${gov.url}/api/sessions/${sessionId}/handoff/cancel`;
    const r = await fetch(url, { method: 'POST' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ handoff: null, text: expect.stringMatching(/已为您取消人工排队/) });
    expect((await gov.services.records.getConversation(conversationId))!.status).toBe('bot');
    const again = await fetch(url, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('illegal_transition');
  });

  it('takes a left message instead of waiting, listed for staff to call back', async () => {
    const { sessionId, conversationId } = await waitingCitizen();
    expect((await chat(gov.url, '我要留言', sessionId)).text).toMatch(/请直接写下您要办的事，并留下联系电话/);
    const q = await staff('police', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
    expect(q.body.items.some((i: { conversationId: string }) => i.conversationId === conversationId)).toBe(false);
    expect((await chat(gov.url, '想问补办能不能加急，请回电 13900001234', sessionId)).handoff).toMatchObject({ status: 'closed', leftMessage: true });
    const list = await staff('police', 'GET', `/api/staff/callbacks?department=${encodeURIComponent('公安')}`);
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ conversationId, phone: '13900001234', message: expect.stringMatching(/加急/) });
    expect((await staff('hr', 'GET', `/api/staff/callbacks?department=${encodeURIComponent('公安')}`)).status).toBe(403);
  });

  it('serves the elderly and the disabled before earlier arrivals', async () => {
    const first = await waitingCitizen('身份证丢了怎么补办', '转人工');
    const elderly = await waitingCitizen('我85岁了，身份证丢了怎么补办', '我要找工作人员');
    const q = await staff('police', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
    const ids = q.body.items.map((i: { conversationId: string }) => i.conversationId);
    expect(ids.indexOf(elderly.conversationId)).toBeLessThan(ids.indexOf(first.conversationId));
    const item = q.body.items.find((i: { conversationId: string }) => i.conversationId === elderly.conversationId);
    expect(item.priority).toBe(1);
    expect(item.summary.priorityReasons).toContain('elderly');
  });

  it('tells a waiting citizen their new place as the queue moves', async () => {
    const ahead = await waitingCitizen();
    const me = await waitingCitizen();
    const stream = await sse(`/api/sessions/${me.sessionId}/events`);
    const now = await stream.json<{ status: string; position: number; etaSeconds: number }>((e) => e.event === 'handoff');
    expect(now.status).toBe('waiting');
    expect(now.position).toBeGreaterThanOrEqual(2);
    expect((await staff('police', 'POST', `/api/staff/conversations/${ahead.conversationId}/claim`)).status).toBe(200);
    const moved = await stream.json<{ status: string; position: number; etaSeconds: number }>((e) => e.event === 'handoff' && JSON.parse(e.data).position !== now.position);
    expect(moved).toMatchObject({ status: 'waiting', position: now.position - 1 });
    expect(moved.etaSeconds).toBeGreaterThan(0);
    expect(moved.etaSeconds).toBeLessThanOrEqual(now.etaSeconds);
    // Polling says the same, and so does the next reply.
    const r = await chat(gov.url, '还要等多久', me.sessionId);
    expect(r.handoff).toMatchObject({ status: 'waiting', position: now.position - 1 });
    expect(r.text).toMatch(new RegExp(`您前面还有 ${now.position - 2} 位|您是下一位`));
  });

  it('ends the Redis subscription when the client goes away', async () => {
    const me = await waitingCitizen();
    const stream = await sse(`/api/sessions/${me.sessionId}/events`);
    const channel = `${prefix}:events:conv:${me.conversationId}`;
    const subscribers = async () => ((await gov.services.redis!.command.pubsub('NUMSUB', channel)) as [string, number])[1];
    expect(await subscribers()).toBe(1);
    stream.close();
    const end = Date.now() + 5000;
    while ((await subscribers()) !== 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await subscribers()).toBe(0);
  });

  it('documents the staff and session routes in /openapi.json', async () => {
    const doc = await (await fetch(`${gov.url}/openapi.json`)).json();
    for (const path of ['/api/staff/queue', '/api/staff/conversations/{id}/claim', '/api/staff/conversations/{id}/messages', '/api/staff/conversations/{id}/transfer', '/api/staff/conversations/{id}/close', '/api/staff/conversations/{id}', '/api/staff/events', '/api/sessions/{id}/messages', '/api/sessions/{id}/events']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('keeps sessions private: the path id is the secret, X-Session-Id must match', async () => {
    const a = await chat(gov.url, '身份证丢了怎么补办');
    const b = await chat(gov.url, '结婚登记要带什么');
    expect((await fetch(`${gov.url}/api/sessions/${'x'.repeat(24)}/messages`)).status).toBe(404);
    const mismatch = await fetch(`${gov.url}/api/sessions/${a.sessionId}/messages`, { headers: { 'x-session-id': b.sessionId } });
    expect(mismatch.status).toBe(403);
    expect((await mismatch.json()).error.code).toBe('session_mismatch');
    const own = await fetch(`${gov.url}/api/sessions/${a.sessionId}/messages`, { headers: { 'x-session-id': a.sessionId } });
    expect(own.status).toBe(200);
    const texts = (await own.json()).items.map((m: { text: string }) => m.text);
    expect(texts).toContain('身份证丢了怎么补办');
    expect(texts).not.toContain('结婚登记要带什么');
    const foreignAfter = await fetch(`${gov.url}/api/sessions/${a.sessionId}/messages?after=${b.messageId}`);
    expect(foreignAfter.status).toBe(400);
  });
});

/**
 * Two API instances on two real HTTP ports with no shared memory: one Redis (unique prefix) and
 * one PostgreSQL (unique schema). A citizen on instance A is served by staff on instance B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startGovchat, type Govchat } from '../support/govchat.js';
import { openTestDatabase, type TestDatabase } from '../support/databases.js';
import { staffHeaders } from '../support/staff.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { openSSE, type SSEClient } from '../support/sse.js';

let a: Govchat;
let b: Govchat;
let db: TestDatabase;
let redisUrl: string;
const prefix = testPrefix();
const streams: SSEClient[] = [];

beforeAll(async () => {
  redisUrl = await testRedisUrl();
  db = await openTestDatabase('postgres');
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: db.overrides.databaseUrl! };
  a = await startGovchat({ env, databaseSchema: db.overrides.databaseSchema, listen: true });
  b = await startGovchat({ env, databaseSchema: db.overrides.databaseSchema, listen: true });
});

afterAll(async () => {
  for (const s of streams) s.close();
  await a?.close();
  await b?.close();
  await db?.dispose();
  await deletePrefix(redisUrl, prefix);
});

async function open(url: string, headers: Record<string, string> = {}) {
  const s = await openSSE(url, headers);
  streams.push(s);
  expect(s.status).toBe(200);
  await s.next((e) => e.event === 'ready');
  return s;
}

describe('two instances, one Redis', () => {
  it('serves a citizen on instance A by staff on instance B, in real time both ways', async () => {
    expect(a.url).not.toBe(b.url);
    expect(a.services.redis).not.toBeNull();
    const staffB = await open(`${b.url}/api/staff/events`, await staffHeaders(b.url, 'police'));

    // The citizen talks to A; the follow-up goes to B and keeps the context (sessions in Redis).
    const first = await chat(a.url, '身份证丢了怎么补办');
    const followUp = await chat(b.url, '要多少钱', first.sessionId);
    expect(followUp.type).toBe('answer');
    expect(followUp.citations[0]).toMatchObject({ guideId: (first.citations[0] as { guideId: string }).guideId, section: 'fee' });
    // The live session is in Redis, where every instance finds it.
    expect(JSON.parse((await a.services.redis!.command.get(`${prefix}:session:${first.sessionId}`))!)).toMatchObject({ id: first.sessionId, aspect: 'fee' });

    const asked = await chat(a.url, '转人工', first.sessionId);
    expect(asked.handoff).toMatchObject({ status: 'waiting', department: '公安' });
    const convId = (await a.services.records.conversationBySession(first.sessionId))!.id;

    // Staff on B hear of the handoff made on A, and see it in the queue.
    const added = await staffB.json<{ action: string; conversationId: string }>((e) => e.event === 'queue' && JSON.parse(e.data).conversationId === convId);
    expect(added.action).toBe('added');
    const queue = await (await fetch(`${b.url}/api/staff/queue`, { headers: await staffHeaders(b.url, 'police') })).json();
    expect(queue.items.map((i: { conversationId: string }) => i.conversationId)).toContain(convId);

    // The citizen listens on A; staff on B claim and write.
    const citizenA = await open(`${a.url}/api/sessions/${first.sessionId}/events`);
    const claim = await fetch(`${b.url}/api/staff/conversations/${convId}/claim`, { method: 'POST', headers: await staffHeaders(b.url, 'police') });
    expect(claim.status).toBe(200);
    expect(await citizenA.json((e) => e.event === 'handoff' && JSON.parse(e.data)?.status === 'staff')).toMatchObject({ status: 'staff' });

    const sent = await fetch(`${b.url}/api/staff/conversations/${convId}/messages`, {
      method: 'POST',
      headers: { ...(await staffHeaders(b.url, 'police')), 'content-type': 'application/json' },
      body: JSON.stringify({ text: '您好，我是王警官，补领身份证工本费 20 元。' }),
    });
    expect(sent.status).toBe(201);
    const got = await citizenA.json<{ role: string; text: string; author: string }>((e) => e.event === 'message' && JSON.parse(e.data).role === 'staff');
    expect(got).toMatchObject({ role: 'staff', author: '王警官', text: '您好，我是王警官，补领身份证工本费 20 元。' });

    // The citizen answers through A; staff on B get it, and the bot stays silent.
    const back = await chat(a.url, '好的，谢谢，我明天去', first.sessionId);
    expect(back.type).toBe('staff');
    const toStaff = await staffB.json<{ conversationId: string; message: { text: string } }>((e) => e.event === 'message');
    expect(toStaff).toMatchObject({ conversationId: convId, message: { text: '好的，谢谢，我明天去' } });

    // Closing on B asks the citizen on A for a rating.
    expect((await fetch(`${b.url}/api/staff/conversations/${convId}/close`, { method: 'POST', headers: await staffHeaders(b.url, 'police') })).status).toBe(200);
    expect(await citizenA.json((e) => e.event === 'message' && JSON.parse(e.data).ratingRequested === true)).toMatchObject({ ratingRequested: true });
  });

  it('lets one of two claims made on different instances win', async () => {
    const first = await chat(a.url, '身份证丢了怎么补办');
    await chat(a.url, '转人工', first.sessionId);
    const convId = (await a.services.records.conversationBySession(first.sessionId))!.id;
    const claim = async (url: string, who: 'police' | 'police2') => (await fetch(`${url}/api/staff/conversations/${convId}/claim`, { method: 'POST', headers: await staffHeaders(url, who) })).status;
    expect((await Promise.all([claim(a.url, 'police'), claim(b.url, 'police2')])).sort()).toEqual([200, 409]);
  });
});

/**
 * Redis stops during a waiting handoff and comes back empty. The test runs its OWN redis-server
 * on a free port (the shared one is never touched): answering keeps working, a handoff asked for
 * meanwhile is stored as pending with a clear reply, and when Redis is back the queue is rebuilt
 * from the database, pending handoffs included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { staffHeaders } from '../support/staff.js';
import { PrivateRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let redis: PrivateRedis;
let gov: Govchat;
const tmp = tempDir();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  gov = await startGovchat({ env: { REDIS_URL: redis.url, REDIS_PREFIX: 'outage' }, sqlitePath: tmp.sqlitePath, listen: true });
});

afterAll(async () => {
  await gov?.close();
  await redis?.stop();
  tmp.remove();
});


async function queue() {
  const res = await fetch(`${gov.url}/api/staff/queue?department=${encodeURIComponent('公安')}`, { headers: await staffHeaders(gov.url, 'police') });
  expect(res.status).toBe(200);
  return (await res.json()).items as Array<{ conversationId: string; position: number | null }>;
}

describe('Redis stopped and restarted during a waiting handoff', () => {
  it('keeps answering, stores handoffs as pending, and resumes everything when Redis returns', async () => {
    const first = await chat(gov.url, '身份证丢了怎么补办');
    const waiting = await chat(gov.url, '转人工', first.sessionId);
    expect(waiting.handoff).toMatchObject({ status: 'waiting', position: 1 });
    const convA = (await gov.services.records.conversationBySession(first.sessionId))!.id;

    await redis.stop();
    await until('the API to notice Redis is gone', async () => !gov.services.redis!.ready());

    // Questions are still answered, follow-ups included (the session state comes from the records).
    const q = await chat(gov.url, '居住证怎么办理');
    expect(q.type).toBe('answer');
    expect((await chat(gov.url, '要带什么材料', q.sessionId)).type).toBe('answer');

    // A handoff asked for now is stored, with a clear reply.
    const asked = await chat(gov.url, '转人工', q.sessionId);
    expect(asked.type).toBe('handoff');
    expect(asked.text).toContain('人工服务暂时不可用，已为您记录留言');
    expect(asked.handoff).toMatchObject({ status: 'waiting', leftMessage: true });
    const convB = (await gov.services.records.conversationBySession(q.sessionId))!.id;
    expect(await gov.services.handoff.store.current(convB)).toMatchObject({ status: 'pending' });
    expect((await chat(gov.url, '我的电话是13800001111', q.sessionId)).text).toMatch(/已记录您的留言和联系电话（138\*\*\*\*1111）/);

    // Staff still see who waits (from the database, places unknown).
    const during = await queue();
    expect(during.map((i) => i.conversationId).sort()).toEqual([convA, convB].sort());
    expect(during.every((i) => i.position === null)).toBe(true);

    // Redis comes back empty (no persistence): the queue is rebuilt, the pending handoff enqueued.
    await redis.start();
    const back = await until('both handoffs back in the Redis queue', async () => {
      const items = await queue();
      return items.length === 2 && items.every((i) => i.position !== null) ? items : null;
    });
    expect(back.map((i) => i.conversationId)).toEqual([convA, convB]);
    expect(await gov.services.handoff.store.current(convB)).toMatchObject({ status: 'waiting', callbackPhone: '13800001111' });
    // The citizen is told right after the re-enqueue (written after it, so wait for it rather than race it).
    await until('the citizen told the handoff resumed', async () => /人工服务已恢复，已为您排队/.test((await gov.services.records.listMessages(convB)).at(-1)?.text ?? ''));

    // And work goes on: claims, the bot's answers.
    const claim = await fetch(`${gov.url}/api/staff/conversations/${convB}/claim`, { method: 'POST', headers: await staffHeaders(gov.url, 'police') });
    expect(claim.status).toBe(200);
    expect((await chat(gov.url, '补办要多少钱', first.sessionId)).type).toBe('handoff');
    expect((await chat(gov.url, '结婚登记要带什么')).type).toBe('answer');
  });
});

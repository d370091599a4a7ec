/**
 * Redis restarted under load (issue 11, failure tests). Citizens keep a real HTTP server busy —
 * questions, follow-ups and requests for a person from several concurrent clients — while the
 * test's OWN redis-server is killed and started again empty. Every request is answered, every
 * message accepted is in the records, every handoff asked for (before, during or after the
 * outage) is back in the Redis queue once Redis returns, and the rate limits, kept in Redis, are
 * in force again afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { PrivateRedis } from '../support/redis.js';
import { principal, staffHeaders } from '../support/staff.js';
import { until } from '../support/until.js';

let redis: PrivateRedis;
let gov: Govchat;
const tmp = tempDir();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  gov = await startGovchat({ env: { REDIS_URL: redis.url, REDIS_PREFIX: 'load', TRUST_PROXY: 'true', RATE_LIMIT_IP_PER_MIN: '5' }, sqlitePath: tmp.sqlitePath, listen: true });
});
afterAll(async () => {
  await gov?.close();
  await redis?.stop();
  tmp.remove();
});


const QUESTIONS = ['身份证丢了怎么补办', '居住证怎么办理', '结婚登记要带什么', '租房提取公积金需要什么材料'];
const FOLLOWUPS = ['要多少钱', '在哪里办', '要多久'];

interface Outcome {
  status: number;
  type?: string;
}

it('keeps answering while Redis restarts; nothing accepted is lost and handoffs resume', async () => {
  const outcomes: Outcome[] = [];
  const sent = new Map<string, number>(); // session -> citizen messages accepted
  const handoffs = new Set<string>(); // sessions that asked for a person
  let client = 0;
  const post = async (ip: string, message: string, sessionId?: string) => {
    const res = await fetch(`${gov.url}/api/chat`, {
      method: 'POST',
      // Each client its own address: the per-address limit (5/min) is not what this test measures.
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
    });
    const body = (await res.json()) as { sessionId?: string; type?: string };
    outcomes.push({ status: res.status, type: body.type });
    if (res.status === 200 && body.sessionId) sent.set(body.sessionId, (sent.get(body.sessionId) ?? 0) + 1);
    return body;
  };
  // One conversation per "client": a question, follow-ups, every third asks for a person.
  const conversation = async () => {
    const n = client++;
    const ip = `10.1.${Math.floor(n / 250)}.${n % 250}`;
    const a = await post(ip, QUESTIONS[n % QUESTIONS.length]);
    if (!a.sessionId) return;
    await post(ip, FOLLOWUPS[n % FOLLOWUPS.length], a.sessionId);
    if (n % 3 === 0) {
      const h = await post(ip, '转人工', a.sessionId);
      if (h.type === 'handoff') handoffs.add(a.sessionId);
    } else await post(ip, FOLLOWUPS[(n + 1) % FOLLOWUPS.length], a.sessionId);
  };

  let running = true;
  const workers = Array.from({ length: 6 }, async () => {
    while (running) await conversation();
  });
  const during = async (ms: number) => new Promise((r) => setTimeout(r, ms));
  await during(1500);
  const beforeOutage = outcomes.length;
  await redis.stop();
  await until('the API to notice Redis is gone', async () => !gov.services.redis!.ready());
  await during(2000);
  const inOutage = outcomes.length - beforeOutage;
  await redis.start();
  await until('Redis back', async () => gov.services.redis!.ready());
  await during(1500);
  running = false;
  await Promise.all(workers);

  // Answers continued throughout: no request failed, the outage included.
  expect(outcomes.length).toBeGreaterThan(30);
  expect(inOutage).toBeGreaterThan(5);
  expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);

  // Nothing lost: every accepted message is in the records, with a reply for each.
  for (const [sessionId, count] of sent) {
    const conv = await gov.services.records.conversationBySession(sessionId);
    expect(conv, sessionId).toBeTruthy();
    const messages = await gov.services.records.listMessages(conv!.id, { limit: 500 });
    expect(messages.filter((m) => m.role === 'citizen').length, sessionId).toBe(count);
  }

  // Handoffs resume: every conversation that asked for a person is in the Redis queue again.
  expect(handoffs.size).toBeGreaterThan(2);
  const wanted = new Set<string>();
  for (const s of handoffs) wanted.add((await gov.services.records.conversationBySession(s))!.id);
  const allPlaced = (items: { conversationId: string; position: number | null }[]) => {
    const queued = new Map(items.map((i) => [i.conversationId, i.position]));
    return [...wanted].every((id) => queued.has(id) && queued.get(id) !== null);
  };
  // Waited for on the service: polling the route would spend the staff credential's allowance (RATE_LIMIT_IP_PER_MIN, 5 here).
  const admin = await principal(gov.services, 'admin');
  await until('every handoff back in a queue with a place', async () => allPlaced(await gov.services.handoff.service.list(admin)));
  // And staff see it so.
  const res = await fetch(`${gov.url}/api/staff/queue`, { headers: await staffHeaders(gov.url, 'admin') });
  expect(res.status).toBe(200);
  expect(allPlaced(((await res.json()) as { items: { conversationId: string; position: number | null }[] }).items)).toBe(true);

  // The per-address limit lives in Redis again: exact once Redis is back.
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await fetch(`${gov.url}/api/guides/id-card-renewal`, { headers: { 'x-forwarded-for': '10.9.9.9' } })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  const keys = await gov.services.redis!.command.keys('load:rl:ip:10.9.9.9');
  expect(keys.length).toBe(1);
}, 90_000);

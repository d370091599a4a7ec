/**
 * Personal data stays out of logs, analytics, exports and the unanswered list (issue 11 §3): a
 * conversation full of ID numbers, phones, bank cards and e-mail addresses is run through the real
 * app with the real logger writing into a captured destination, at debug level; no captured line,
 * no export and no unanswered question holds one of the values in the clear, while the
 * conversation record (and the form draft) keep them whole.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { testApp, postJson, type TestApp } from '../support/app.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';

const ID = '110105199003078938';
const ID_OLD = '110105900307893';
const MOBILE = '13912345678';
const MOBILE_SPACED = '139 1234 5678';
const LANDLINE = '010-87654321';
const CARD = '6222021234567890123';
const CARD_GROUPED = '6222 0212 3456 7890';
const EMAIL = 'zhang.san@example.com';
const SECRETS = [ID, ID_OLD, MOBILE, MOBILE_SPACED, '12345678', LANDLINE, '87654321', CARD, CARD_GROUPED, '0212 3456', EMAIL, 'zhang.san@'];

const lines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  t = await testApp({ logger: createLogger({ level: 'debug', destination }) });
  await ensureStaff(t.services);
});
afterAll(() => t.dispose());

async function say(sessionId: string | undefined, message: string) {
  const res = await postJson(t.app, '/api/chat', sessionId ? { sessionId, message } : { message });
  expect(res.status, message).toBe(200);
  return (await res.json()) as { sessionId: string; type: string; form: { draftId: string } | null };
}

describe('personal data in logs', () => {
  it('no log line written during a conversation full of personal data holds one in the clear', async () => {
    const first = await say(undefined, `我的身份证号是${ID}，丢了怎么补办`);
    const sid = first.sessionId;
    const messages = [
      `手机${MOBILE}，老身份证${ID_OLD}还能用吗`,
      `我的银行卡${CARD}被冻结了，联系邮箱${EMAIL}`,
      `电话 ${MOBILE_SPACED} 或者座机 ${LANDLINE}，卡号 ${CARD_GROUPED}`,
      `我要投诉，窗口人员态度差，我的电话是${MOBILE}，身份证${ID}`,
      MOBILE,
      `${EMAIL} 这是邮箱`,
      '转人工',
      `我的身份证 ${ID}，请尽快联系 ${MOBILE}`,
    ];
    for (const m of messages) await say(sid, m);
    // Malformed requests with personal data: the 400s are logged too.
    await postJson(t.app, '/api/chat', `{"message": "${ID}", "sessionId": 12}`);
    await postJson(t.app, '/api/chat', `{"message": "${MOBILE}"`);
    // Staff read and answer the conversation.
    const headers = await staffHeaders(t.app, 'admin');
    await t.app.request(`/api/staff/queue`, { headers });
    const conv = await t.services.records.conversationBySession(sid);
    await t.app.request(`/api/staff/conversations/${conv!.id}`, { headers });
    // The citizen reads the conversation back: the session id in the path is a bearer secret.
    expect((await t.app.request(`/api/sessions/${sid}/messages`)).status).toBe(200);
    // A search that carries a phone number.
    await t.app.request(`/api/search?q=${encodeURIComponent(`补办身份证 ${MOBILE}`)}`);

    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(20); // the conversation was logged (turns, requests)
    for (const s of SECRETS) expect(text, `log holds ${s}`).not.toContain(s);
    expect(text, 'log holds the session id').not.toContain(sid);
    expect(text).toContain('"path":"/api/sessions/:id/messages"');
    // The masked forms are what the logs hold.
    expect(text).toContain('1101**********8938');
    expect(text).toContain('139****5678');
    expect(text).toContain('z***@example.com');
  });

  it('the conversation record keeps the full values; analytics exports and the unanswered list do not', async () => {
    const first = await say(undefined, `身份证${ID}手机${MOBILE}邮箱${EMAIL}银行卡${CARD}怎么处理星际旅行签证`);
    const messages = await t.services.records.listMessages((await t.services.records.conversationBySession(first.sessionId))!.id);
    expect(messages.map((m) => m.text).join('\n')).toContain(ID);
    const headers = await staffHeaders(t.app, 'admin');
    const csv = await (await t.app.request('/api/admin/export/conversations.csv', { headers })).text();
    const unanswered = await (await t.app.request('/api/admin/unanswered', { headers })).text();
    const stats = await (await t.app.request('/api/admin/stats', { headers })).text();
    for (const [what, body] of [
      ['export', csv],
      ['unanswered', unanswered],
      ['stats', stats],
    ] as const) {
      for (const s of [ID, MOBILE, EMAIL, CARD]) expect(body, `${what} holds ${s}`).not.toContain(s);
    }
  });
});

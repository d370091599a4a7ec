/** A 差评 that asks for help puts the conversation in front of a person (the handoff's rating trigger). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, testApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.dispose());

describe('rating → handoff', () => {
  it('queues a handoff for a 差评 asking for help, and not for one that does not', async () => {
    const ask = async () => (await (await postJson(t.app, '/api/chat', { message: '失业金怎么领' })).json()).sessionId as string;
    const helped = await ask();
    expect((await postJson(t.app, '/api/ratings', { sessionId: helped, level: 1, comment: '问题没解决，请工作人员联系我' })).status).toBeLessThan(300);
    const conv = (await t.services.records.conversationBySession(helped))!;
    expect(conv.status).toBe('waiting');
    expect(conv.department).toBe('人社');

    const plain = await ask();
    expect((await postJson(t.app, '/api/ratings', { sessionId: plain, level: 2, comment: '太慢了' })).status).toBeLessThan(300);
    expect((await t.services.records.conversationBySession(plain))!.status).toBe('bot');
  });
});

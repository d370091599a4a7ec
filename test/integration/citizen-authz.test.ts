/**
 * The citizen's side of the authorization matrix (issue 11): session ids are unguessable, and one
 * citizen can read nothing of another's conversation — messages, event stream, form drafts,
 * handoff, transcript — through any route, with or without a session id of their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, postJson, type TestApp } from '../support/app.js';

let t: TestApp;
interface Reply {
  sessionId: string;
  form: { draftId: string } | null;
}
let alice: Reply;
let bob: Reply;
let aliceDraft: string;
let aliceConversation: string;

const say = async (message: string, sessionId?: string) => (await (await postJson(t.app, '/api/chat', sessionId ? { sessionId, message } : { message })).json()) as Reply;

beforeAll(async () => {
  t = await testApp();
  alice = await say('我要办居住证');
  aliceDraft = alice.form?.draftId ?? (await say('我要申请居住证', alice.sessionId)).form!.draftId;
  await say('转人工', alice.sessionId);
  bob = await say('身份证丢了怎么办');
  aliceConversation = (await t.services.records.conversationBySession(alice.sessionId))!.id;
});
afterAll(() => t.dispose());

describe('session ids', () => {
  it('are unguessable: 144 random bits, URL-safe, never repeated', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await say('你好')).sessionId);
    expect(ids.size).toBe(40);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Not sequential or time-based: no two share a long common prefix.
    const sorted = [...ids].sort();
    for (let i = 1; i < sorted.length; i++) {
      let common = 0;
      while (sorted[i][common] === sorted[i - 1][common]) common++;
      expect(common).toBeLessThan(8);
    }
  });

  it('a guessable id offered by a client is not taken as the session id', async () => {
    for (const guess of ['1', 'abc', 'session', '00000000']) {
      const r = await say('你好', guess);
      expect(r.sessionId).not.toBe(guess);
      expect(r.sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    }
  });
});

describe("one citizen cannot read another's conversation", () => {
  const asBob = () => ({ 'x-session-id': bob.sessionId });

  it('messages: with their own session id in the header, by guessing, or by the conversation id', async () => {
    const mismatch = await t.app.request(`/api/sessions/${alice.sessionId}/messages`, { headers: asBob() });
    expect(mismatch.status).toBe(403);
    const text = await mismatch.text();
    expect(text).not.toContain('居住证');
    expect((await t.app.request(`/api/sessions/${aliceConversation}/messages`, { headers: { 'x-session-id': aliceConversation } })).status).toBe(404);
    // One character off (never the same character: an id ending in A would be guessed right).
    const guess = alice.sessionId.slice(0, -1) + (alice.sessionId.endsWith('A') ? 'B' : 'A');
    expect((await t.app.request(`/api/sessions/${guess}/messages`)).status).toBe(404);
    // Alice herself can.
    expect((await t.app.request(`/api/sessions/${alice.sessionId}/messages`, { headers: { 'x-session-id': alice.sessionId } })).status).toBe(200);
  });

  it('the event stream', async () => {
    const res = await t.app.request(`/api/sessions/${alice.sessionId}/events`, { headers: { ...asBob(), accept: 'text/event-stream' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('session_mismatch');
    const guessed = await t.app.request(`/api/sessions/${'A'.repeat(24)}/events`, { headers: { accept: 'text/event-stream' } });
    expect(guessed.status).toBe(404);
  });

  it('form drafts: reading, changing or confirming one made in another session', async () => {
    const read = await t.app.request(`/api/forms/${aliceDraft}`, { headers: asBob() });
    expect(read.status).toBe(404);
    expect(await read.text()).not.toContain('居住证申领');
    expect((await t.app.request(`/api/forms/${aliceDraft}`)).status).toBe(401);
    const confirm = await postJson(t.app, `/api/forms/${aliceDraft}/confirm`, {}, asBob());
    expect(confirm.status).toBe(404);
    expect((await t.app.request(`/api/forms/${aliceDraft}`, { headers: { 'x-session-id': alice.sessionId } })).status).toBe(200);
  });

  it("the handoff: cancelling another's place in the queue", async () => {
    const res = await postJson(t.app, `/api/sessions/${alice.sessionId}/handoff/cancel`, {}, asBob());
    expect(res.status).toBe(403);
    const conv = await t.services.records.conversationBySession(alice.sessionId);
    expect(conv!.status).toBe('waiting');
  });

  it('the transcript and the queue: staff routes do not take a session id', async () => {
    for (const headers of [asBob(), { 'x-session-id': alice.sessionId }]) {
      expect((await t.app.request(`/api/staff/conversations/${aliceConversation}`, { headers })).status).toBe(401);
      expect((await t.app.request('/api/staff/queue', { headers })).status).toBe(401);
      expect((await t.app.request('/api/admin/export/conversations.csv', { headers })).status).toBe(401);
    }
  });
});

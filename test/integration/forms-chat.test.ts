/**
 * The "done when": through POST /api/chat, 我要办居住证 → name → an ID number with a
 * wrong check digit (rejected with the reason) → the right one → phone → confirm, ending with a
 * complete, confirmed draft readable whole at GET /api/forms/:draftId by that session only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';

const RIGHT_ID = '110101199003071233';
const WRONG_ID = '110101199003071234'; // same number, wrong check digit
const PHONE = '13912345678';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock: () => new Date('2026-12-01T10:00:00+08:00') });
});
afterAll(async () => {
  await t?.dispose();
});

interface ChatReply {
  sessionId: string;
  type: string;
  text: string;
  intent: { name: string; confidence: number };
  form: {
    formId: string;
    draftId: string;
    complete: boolean;
    confirmed: boolean;
    status: string;
    url: string;
    fields: { name: string; value: string | null; valid: boolean; missing: boolean; error: string | null }[];
  } | null;
}

async function chat(message: string, sessionId?: string): Promise<ChatReply> {
  const res = await t.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(sessionId ? { 'x-session-id': sessionId } : {}) },
    body: JSON.stringify({ message }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ChatReply;
}

const field = (r: ChatReply, name: string) => r.form!.fields.find((f) => f.name === name)!;

describe('filling the residence-permit form through POST /api/chat', () => {
  it('goes from 我要办居住证 to a confirmed draft readable at GET /api/forms/:draftId', async () => {
    const start = await chat('我要办居住证');
    expect(start.type).toBe('form');
    expect(start.intent.name).toBe('apply');
    expect(start.form).toMatchObject({ formId: 'residence-permit', complete: false, status: 'open' });
    expect(start.text).toContain('姓名');
    const sid = start.sessionId;
    const draftId = start.form!.draftId;

    const name = await chat('张三', sid);
    expect(field(name, 'name')).toMatchObject({ value: '张三', valid: true, missing: false });
    expect(name.text).toContain('身份证');

    const wrong = await chat(WRONG_ID, sid);
    expect(wrong.type).toBe('form');
    expect(wrong.text).toContain('身份证号第18位校验不符，请核对');
    expect(field(wrong, 'id_number')).toMatchObject({ value: null, valid: false, error: '身份证号第18位校验不符，请核对。' });

    const right = await chat(RIGHT_ID, sid);
    expect(field(right, 'id_number')).toMatchObject({ value: '1101**********1233', valid: true, error: null });
    expect(right.text).not.toContain(RIGHT_ID); // masked in chat
    expect(right.text).toContain('1990年3月7日出生，男');
    expect(right.text).toContain('电话');

    const phone = await chat(PHONE, sid);
    expect(field(phone, 'phone')).toMatchObject({ value: '139****5678', valid: true });
    expect(phone.form).toMatchObject({ complete: true, status: 'complete', confirmed: false });
    expect(phone.text).toContain('确认');
    expect(phone.text).not.toContain(PHONE);

    const confirmed = await chat('确认', sid);
    expect(confirmed.form).toMatchObject({ draftId, confirmed: true, status: 'confirmed' });
    expect(confirmed.form!.url).toBe(`https://zwfw.example.gov.cn/guides/residence-permit?draft=${draftId}`);
    expect(confirmed.text).toContain(confirmed.form!.url);

    const res = await t.app.request(`/api/forms/${draftId}`, { headers: { 'x-session-id': sid } });
    expect(res.status).toBe(200);
    const draft = await res.json();
    expect(draft).toMatchObject({ formId: 'residence-permit', draftId, complete: true, confirmed: true, status: 'confirmed', guideId: 'residence-permit', department: '公安' });
    expect(Object.fromEntries(draft.fields.map((f: { name: string; value: string | null }) => [f.name, f.value]))).toMatchObject({ name: '张三', id_number: RIGHT_ID, phone: PHONE });
    expect(draft.derived.id_number).toEqual({ birthDate: '1990-03-07', sex: 'male', age: 36 });
    expect(draft.confirmedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // Stored through the record store as well.
    const row = await t.services.records.getDraft(draftId);
    expect(row?.status).toBe('confirmed');
    expect(JSON.parse(row!.data)).toMatchObject({ id_number: RIGHT_ID, phone: PHONE });
  });

  it('shows the draft only to the session that made it', async () => {
    const a = await chat('我要办居住证，我叫李四');
    const other = await chat('你好');
    const draftId = a.form!.draftId;
    expect((await t.app.request(`/api/forms/${draftId}`, { headers: { 'x-session-id': a.sessionId } })).status).toBe(200);
    const wrong = await t.app.request(`/api/forms/${draftId}`, { headers: { 'x-session-id': other.sessionId } });
    expect(wrong.status).toBe(404);
    expect((await wrong.json()).error.code).toBe('not_found');
    const none = await t.app.request(`/api/forms/${draftId}`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
  });
});

import { Writable } from 'node:stream';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';
import { createLogger } from '../platform/logger.js';
import { errorHandler, notFoundHandler, validationHook, type AppEnv } from '../platform/http.js';
import type { StaffPrincipal } from '../staff/principal.js';
import { formRoutes } from './routes.js';

const ID = '110101199003071233';
const PHONE = '13912345678';
const logLines: string[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
});

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock: () => new Date('2026-12-01T10:00:00+08:00'), logger });
});
afterAll(async () => {
  await t?.dispose();
});

async function startDraft(message = '我要办居住证'): Promise<{ sid: string; draftId: string }> {
  const res = await t.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  const r = await res.json();
  expect(r.type).toBe('form');
  return { sid: r.sessionId, draftId: r.form.draftId };
}

const patch = (draftId: string, sid: string | null, fields: Record<string, string | null>) =>
  t.app.request(`/api/forms/${draftId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(sid ? { 'x-session-id': sid } : {}) },
    body: JSON.stringify({ fields }),
  });
const confirm = (draftId: string, sid: string) => t.app.request(`/api/forms/${draftId}/confirm`, { method: 'POST', headers: { 'x-session-id': sid } });
const values = (d: { fields: { name: string; value: string | null }[] }) => Object.fromEntries(d.fields.map((f) => [f.name, f.value]));

describe('PATCH /api/forms/:draftId', () => {
  it('validates every field as the chat does and stores nothing when one is wrong (422, an error per field)', async () => {
    const { sid, draftId } = await startDraft();
    const bad = await patch(draftId, sid, { name: '王五', id_number: '110101199003071234', phone: '1391234' });
    expect(bad.status).toBe(422);
    const body = await bad.json();
    expect(body.error.code).toBe('invalid_fields');
    expect(body.error.details.fields).toEqual({ id_number: '身份证号第18位校验不符，请核对。', phone: '手机号码应为11位，您输入的是7位，请核对。' });
    const unchanged = await (await t.app.request(`/api/forms/${draftId}`, { headers: { 'x-session-id': sid } })).json();
    expect(values(unchanged).name).toBeNull();
  });

  it('stores corrected values in their canonical form, and null clears an optional field', async () => {
    const { sid, draftId } = await startDraft();
    const ok = await patch(draftId, sid, { name: '王五', id_number: ID, phone: '+86 139 1234 5678', registered_on: '2025年3月1日', address: '示例市中心区人民路100号' });
    expect(ok.status).toBe(200);
    const d = await ok.json();
    expect(values(d)).toMatchObject({ name: '王五', id_number: ID, phone: PHONE, registered_on: '2025-03-01', address: '示例市中心区人民路100号' });
    expect(d).toMatchObject({ complete: true, status: 'complete' });
    const cleared = await (await patch(draftId, sid, { address: null })).json();
    expect(values(cleared).address).toBeNull();
    expect(cleared.complete).toBe(true);
  });

  it('answers 400 for a field the form does not have and for a bad body', async () => {
    const { sid, draftId } = await startDraft();
    const res = await patch(draftId, sid, { colour: 'red' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('unknown_fields');
    const shape = await t.app.request(`/api/forms/${draftId}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-session-id': sid }, body: '{"fields":"x"}' });
    expect(shape.status).toBe(400);
    expect((await shape.json()).error.code).toBe('invalid_request');
  });
});

describe('POST /api/forms/:draftId/confirm', () => {
  it('refuses an incomplete draft with 409 and says what is missing', async () => {
    const { sid, draftId } = await startDraft();
    const res = await confirm(draftId, sid);
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toContain('申请人姓名');
  });

  it('confirms a complete draft with the handling link carrying the draft id; then it cannot be changed', async () => {
    const { sid, draftId } = await startDraft(`我要办居住证，我叫张三，身份证${ID}，电话${PHONE}`);
    const res = await confirm(draftId, sid);
    expect(res.status).toBe(200);
    const d = await res.json();
    expect(d).toMatchObject({ confirmed: true, status: 'confirmed', url: `https://zwfw.example.gov.cn/guides/residence-permit?draft=${draftId}` });
    expect((await patch(draftId, sid, { phone: '13900001111' })).status).toBe(409);
    // The chat no longer treats the session as filling a form.
    const next = await t.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', 'x-session-id': sid }, body: JSON.stringify({ message: '居住证要多少钱' }) });
    expect((await next.json()).type).toBe('answer');
  });

  it('is only for the session that made the draft', async () => {
    const { draftId } = await startDraft();
    const other = await startDraft();
    expect((await confirm(draftId, other.sid)).status).toBe(404);
    expect((await t.app.request(`/api/forms/${draftId}/confirm`, { method: 'POST' })).status).toBe(401);
    expect((await t.app.request('/api/forms/d_nosuchdraft/confirm', { method: 'POST', headers: { 'x-session-id': other.sid } })).status).toBe(404);
  });
});

describe('staff access to drafts', () => {
  const staff = (p: Partial<StaffPrincipal> | null) => {
    const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
    app.onError(errorHandler(logger));
    app.notFound(notFoundHandler);
    app.route(
      '/',
      formRoutes({
        drafts: () => t.services.drafts,
        records: () => t.services.records,
        authenticate: async (req) => (p && req.headers.get('authorization') === 'Bearer staff-token' ? { id: 's1', username: 'u', displayName: null, role: 'agent', departments: [], ...p } : null),
      }),
    );
    return app;
  };
  const asStaff = { headers: { authorization: 'Bearer staff-token' } };

  it('lets staff of the draft’s department (and admins) read it, others get 403, no credentials 401', async () => {
    const { draftId } = await startDraft(`我要办居住证，我叫张三，身份证${ID}`);
    const police = await staff({ departments: ['公安'] }).request(`/api/forms/${draftId}`, asStaff);
    expect(police.status).toBe(200);
    expect(values(await police.json()).id_number).toBe(ID);
    expect((await staff({ role: 'admin' }).request(`/api/forms/${draftId}`, asStaff)).status).toBe(200);
    expect((await staff({ departments: ['民政'] }).request(`/api/forms/${draftId}`, asStaff)).status).toBe(403);
    expect((await staff({ departments: ['公安'] }).request(`/api/forms/${draftId}`)).status).toBe(401);
  });

  it('does not let staff change or confirm a citizen’s draft', async () => {
    const { draftId } = await startDraft();
    const res = await staff({ role: 'admin' }).request(`/api/forms/${draftId}/confirm`, { method: 'POST', ...asStaff });
    expect(res.status).toBe(401);
  });
});

describe('personal data in logs', () => {
  it('never writes an ID or phone number in the clear, through chat, PATCH and GET', async () => {
    const { sid, draftId } = await startDraft(`我要办居住证，我叫张三，身份证${ID}，电话${PHONE}`);
    await patch(draftId, sid, { phone: '13800138000' });
    await t.app.request(`/api/forms/${draftId}`, { headers: { 'x-session-id': sid } });
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [ID, PHONE, '13800138000']) expect(all).not.toContain(secret);
  });
});

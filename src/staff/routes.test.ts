import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { loadConfig } from '../config.js';
import { errorHandler, validationHook, type AppEnv } from '../platform/http.js';
import { silentLogger } from '../platform/logger.js';
import { createStaffAccounts, type StaffModule } from './index.js';

function appFor(staff: StaffModule) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(errorHandler(silentLogger));
  app.route('/', staff.routes());
  return app;
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe.each(DIALECTS)('staff HTTP routes on %s', (dialect) => {
  let t: TestDatabase;
  let staff: StaffModule;
  let app: ReturnType<typeof appFor>;
  let adminToken: string;

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    const config = loadConfig({ GOVCHAT_ADMIN_PASSWORD: 'admin-pass-123', STAFF_LOCKOUT_ATTEMPTS: '2', STAFF_LOCKOUT_MINUTES: '30', PUBLIC_URL: 'https://zw.example.gov.cn' });
    staff = createStaffAccounts(t.db, config, { logger: silentLogger });
    expect(await staff.bootstrapAdmin()).toBe('created');
    app = appFor(staff);
    const res = await app.request('/api/staff/login', json({ username: 'admin', password: 'admin-pass-123' }));
    adminToken = (await res.json()).token;
  });
  afterAll(async () => t?.dispose());

  const asAdmin = (init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${adminToken}` } });

  it('login answers a token and sets an HTTP-only, SameSite=Strict, Secure session cookie with an expiry', async () => {
    const res = await app.request('/api/staff/login', json({ username: 'admin', password: 'admin-pass-123' }, { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.staff).toMatchObject({ username: 'admin', role: 'admin' });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(new RegExp(`^govchat_staff=${body.token.replace(/[.]/g, '\\.')};`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/Max-Age=43\d{3}/);
    expect(setCookie).toMatch(/Expires=/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [entry] = await staff.audit.query({ action: 'login.success', limit: 1 });
    expect(entry.ip).toBe('203.0.113.7');

    // The cookie alone authenticates.
    const me = await app.request('/api/staff/me', { headers: { cookie: `govchat_staff=${body.token}` } });
    expect(me.status).toBe(200);
    expect((await me.json()).staff).toMatchObject({ username: 'admin', disabled: false });
  });

  it('refuses bad input, wrong passwords and, after repeated failures, locks with 429 and Retry-After', async () => {
    const bad = await app.request('/api/staff/login', json({ username: 'admin' }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_request');
    const notJson = await app.request('/api/staff/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const huge = await app.request('/api/staff/login', json({ username: 'admin', password: 'x'.repeat(10_000) }));
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('payload_too_large');

    await app.request('/api/admin/staff', asAdmin(json({ username: 'zhou', role: 'agent', departments: ['公安'], password: 'zhou-pass-1' })));
    const wrong = await app.request('/api/staff/login', json({ username: 'zhou', password: 'nope-nope' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'invalid_credentials', message: '用户名或密码错误' } });
    const locked = await app.request('/api/staff/login', json({ username: 'zhou', password: 'nope-nope' }));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1800');
    const body = await locked.json();
    expect(body.error.code).toBe('account_locked');
    expect(body.error.message).toMatch(/30 分钟/);
    expect((await app.request('/api/staff/login', json({ username: 'zhou', password: 'zhou-pass-1' }))).status).toBe(429);
    // An admin's reset unlocks.
    await app.request('/api/admin/staff/zhou/reset-password', asAdmin(json({ password: 'zhou-pass-2' })));
    expect((await app.request('/api/staff/login', json({ username: 'zhou', password: 'zhou-pass-2' }))).status).toBe(200);
  });

  it('logout ends the session and clears the cookie', async () => {
    const { token } = await (await app.request('/api/staff/login', json({ username: 'zhou', password: 'zhou-pass-2' }))).json();
    const out = await app.request('/api/staff/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/govchat_staff=;.*Max-Age=0/);
    expect((await app.request('/api/staff/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await app.request('/api/staff/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('admins manage accounts: create (password generated once), update departments, disable, enable, reset', async () => {
    const created = await app.request('/api/admin/staff', asAdmin(json({ username: 'qian', role: 'agent', departments: ['人社', '医保'], displayName: '钱七' })));
    expect(created.status).toBe(201);
    const c = await created.json();
    expect(c.staff).toMatchObject({ username: 'qian', departments: ['人社', '医保'], displayName: '钱七', disabled: false });
    expect(c.password).toMatch(/^\S{16}$/);
    expect(JSON.stringify(c.staff)).not.toMatch(/hash/i);
    expect((await app.request('/api/admin/staff', asAdmin(json({ username: 'qian', role: 'agent', departments: ['人社'] })))).status).toBe(409);

    const login = async (pw: string) => app.request('/api/staff/login', json({ username: 'qian', password: pw }));
    const { token } = await (await login(c.password)).json();
    const patched = await app.request('/api/admin/staff/qian', asAdmin({ method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ departments: ['人社'] }) }));
    expect((await patched.json()).staff.departments).toEqual(['人社']);
    const me = await (await app.request('/api/staff/me', { headers: { authorization: `Bearer ${token}` } })).json();
    expect(me.staff.departments).toEqual(['人社']);

    expect((await app.request('/api/admin/staff/qian/disable', asAdmin({ method: 'POST' }))).status).toBe(200);
    expect((await app.request('/api/staff/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await login(c.password)).status).toBe(403);
    expect((await app.request('/api/admin/staff/qian/enable', asAdmin({ method: 'POST' }))).status).toBe(200);
    const reset = await app.request('/api/admin/staff/qian/reset-password', asAdmin({ method: 'POST' }));
    const { password } = await reset.json();
    expect(password).toMatch(/^\S{16}$/);
    expect((await login(c.password)).status).toBe(401);
    expect((await login(password)).status).toBe(200);

    const list = await (await app.request('/api/admin/staff', asAdmin())).json();
    expect(list.items.map((a: { username: string }) => a.username)).toEqual(['admin', 'qian', 'zhou']);
    expect((await app.request('/api/admin/staff/nobody/disable', asAdmin({ method: 'POST' }))).status).toBe(404);
    expect((await app.request('/api/admin/staff/admin/disable', asAdmin({ method: 'POST' }))).status).toBe(409);
  });

  it('the audit log is filtered by actor, action and period, newest first, with paging', async () => {
    const all = await (await app.request('/api/admin/audit?limit=1000', asAdmin())).json();
    expect(all.items.length).toBeGreaterThan(10);
    const seqs = all.items.map((e: { seq: number }) => e.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    const byAdmin = await (await app.request('/api/admin/audit?actor=admin&action=staff.create', asAdmin())).json();
    expect(byAdmin.items.map((e: { target: string }) => e.target).sort()).toEqual(['qian', 'zhou']);
    const page = await (await app.request('/api/admin/audit?limit=2', asAdmin())).json();
    expect(page.items).toHaveLength(2);
    const next = await (await app.request(`/api/admin/audit?limit=2&before=${page.next}`, asAdmin())).json();
    expect(next.items[0].seq).toBeLessThan(page.items[1].seq);
    const future = await (await app.request('/api/admin/audit?from=2100-01-01', asAdmin())).json();
    expect(future.items).toEqual([]);
    const badTime = await app.request('/api/admin/audit?from=yesterday', asAdmin());
    expect(badTime.status).toBe(400);
  });
});

/**
 * Staff tokens across instances: two services on one database sharing GOVCHAT_SECRET accept
 * each other's tokens, and a logout or a disable on one ends the session on the other. Without
 * the secret each instance makes its own, and says so in the log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, silentLogger } from '../../src/platform/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { sharedLibrary } from '../support/library.js';

const SECRET = 'shared-secret-for-the-two-instances';
const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe.each(DIALECTS)('staff sessions across instances on %s', (dialect) => {
  let t: TestDatabase;
  const opened: Services[] = [];
  let a: App;
  let b: App;

  const instance = async (env: Record<string, string>, logger = silentLogger) => {
    const s = await createServices(loadConfig({ LOG_LEVEL: 'silent', ...env }), logger, { library: await sharedLibrary(), ...t.overrides });
    opened.push(s);
    return { services: s, app: createApp(s) };
  };
  const login = async (app: App, username: string, password: string) => {
    const res = await app.request('/api/staff/login', json({ username, password }));
    expect(res.status).toBe(200);
    return (await res.json()).token as string;
  };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    const first = await instance({ GOVCHAT_SECRET: SECRET, GOVCHAT_ADMIN_PASSWORD: 'admin-pass-123' });
    const second = await instance({ GOVCHAT_SECRET: SECRET, GOVCHAT_ADMIN_PASSWORD: 'admin-pass-123' });
    a = first.app;
    b = second.app;
    await first.services.staff.accounts.create({ username: 'sun', role: 'agent', departments: ['公安'], password: 'sun-pass-123' }, { actor: 'test' });
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    await t?.dispose();
  });

  it('both instances bootstrapped one admin between them', async () => {
    const list = await (await b.request('/api/admin/staff', bearer(await login(a, 'admin', 'admin-pass-123')))).json();
    expect(list.items.filter((s: { role: string }) => s.role === 'admin')).toHaveLength(1);
  });

  it('a token from one instance works on the other; logging out on the other ends it on both', async () => {
    const token = await login(a, 'sun', 'sun-pass-123');
    for (const app of [a, b]) {
      const me = await app.request('/api/staff/me', bearer(token));
      expect(me.status).toBe(200);
      expect((await me.json()).staff.username).toBe('sun');
    }
    expect((await b.request('/api/staff/logout', { method: 'POST', ...bearer(token) })).status).toBe(200);
    for (const app of [a, b]) expect((await app.request('/api/staff/me', bearer(token))).status).toBe(401);
  });

  it('disabling the account on one instance ends its sessions on the other', async () => {
    const token = await login(b, 'sun', 'sun-pass-123');
    const admin = await login(b, 'admin', 'admin-pass-123');
    expect((await a.request('/api/staff/me', bearer(token))).status).toBe(200);
    expect((await a.request('/api/admin/staff/sun/disable', { method: 'POST', ...bearer(admin) })).status).toBe(200);
    expect((await b.request('/api/staff/me', bearer(token))).status).toBe(401);
    expect((await b.request('/api/staff/login', json({ username: 'sun', password: 'sun-pass-123' }))).status).toBe(403);
    await b.request('/api/admin/staff/sun/enable', { method: 'POST', ...bearer(admin) });
  });

  it('a password reset on one instance ends the sessions on the other', async () => {
    const token = await login(a, 'sun', 'sun-pass-123');
    const admin = await login(a, 'admin', 'admin-pass-123');
    expect((await b.request('/api/admin/staff/sun/reset-password', json({ password: 'sun-pass-456' }, admin))).status).toBe(200);
    expect((await a.request('/api/staff/me', bearer(token))).status).toBe(401);
    expect((await a.request('/api/staff/login', json({ username: 'sun', password: 'sun-pass-456' }))).status).toBe(200);
  });

  it('the failure count is shared: failures on both instances add up to a lockout', async () => {
    await (await instance({ GOVCHAT_SECRET: SECRET })).services.staff.accounts.create({ username: 'zhou', role: 'agent', departments: ['人社'], password: 'zhou-pass-123' }, { actor: 'test' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await (i % 2 ? a : b).request('/api/staff/login', json({ username: 'zhou', password: 'wrong-password' }))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]); // STAFF_LOCKOUT_ATTEMPTS defaults to 5
    const locked = await a.request('/api/staff/login', json({ username: 'zhou', password: 'zhou-pass-123' }));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
  });

  it('an instance with another secret refuses the token; without a secret each makes its own and says so', async () => {
    const token = await login(a, 'sun', 'sun-pass-456');
    const other = await instance({ GOVCHAT_SECRET: 'a-different-secret-0123456789' });
    expect((await other.app.request('/api/staff/me', bearer(token))).status).toBe(401);

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const x = await instance({}, createLogger({ level: 'warn', destination: sink }));
    const y = await instance({});
    expect(lines.join('')).toMatch(/GOVCHAT_SECRET is not set/);
    const tx = await login(x.app, 'sun', 'sun-pass-456');
    expect((await x.app.request('/api/staff/me', bearer(tx))).status).toBe(200);
    expect((await y.app.request('/api/staff/me', bearer(tx))).status).toBe(401);
  });
});

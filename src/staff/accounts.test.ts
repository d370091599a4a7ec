import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { AppError } from '../platform/errors.js';
import { SESSION_COOKIE, StaffAccounts, type StaffAccountsOptions } from './accounts.js';
import { canActOn } from './principal.js';

const bearer = (token: string) => new Request('http://x/', { headers: { authorization: `Bearer ${token}` } });
const cookie = (token: string) => new Request('http://x/', { headers: { cookie: `other=1; ${SESSION_COOKIE}=${token}` } });

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe.each(DIALECTS)('staff accounts on %s', (dialect) => {
  let t: TestDatabase;
  let clock = Date.UTC(2026, 10, 2, 1, 0, 0);
  const now = () => clock;
  const opts: StaffAccountsOptions = { secret: 'a-shared-secret-of-32-characters!', tokenTtlHours: 8, lockoutAttempts: 3, lockoutMinutes: 15, now };
  let accounts: StaffAccounts;
  const by = { actor: 'tester', ip: '10.0.0.9' };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    accounts = new StaffAccounts(t.db, opts);
    await accounts.create({ username: 'Zhang', role: 'agent', departments: ['公安', '人社', '公安'], password: 'zhang-pass-1', displayName: '张三' }, by);
    await accounts.create({ username: 'boss', role: 'admin', departments: [], password: 'boss-pass-123' }, by);
  });
  afterAll(async () => t?.dispose());

  it('creates accounts with hashed passwords, lower-case usernames and clean departments', async () => {
    const a = await accounts.get('zhang');
    expect(a).toMatchObject({ username: 'zhang', role: 'agent', departments: ['公安', '人社'], displayName: '张三', disabled: false });
    const row = await t.db.selectFrom('staff').select('password_hash').where('username', '=', 'zhang').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('zhang-pass-1');
    expect((await accounts.list()).map((x) => x.username)).toEqual(['boss', 'zhang']);
  });

  it('generates a password when none is given, and refuses bad input with a clear error', async () => {
    const r = await accounts.create({ username: 'wang', role: 'agent', departments: ['民政'] }, by);
    expect(r.password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect((await accounts.login('wang', r.password!)).staff.username).toBe('wang');
    expect((await rejects(accounts.create({ username: 'WANG', role: 'agent', departments: ['民政'], password: 'whatever-1' }, by))).status).toBe(409);
    expect((await rejects(accounts.create({ username: 'li', role: 'agent', departments: [], password: 'whatever-1' }, by))).message).toMatch(/至少要属于一个部门/);
    expect((await rejects(accounts.create({ username: 'li si', role: 'agent', departments: ['民政'], password: 'whatever-1' }, by))).status).toBe(400);
    expect((await rejects(accounts.create({ username: 'li', role: 'agent', departments: ['民政'], password: 'short' }, by))).message).toMatch(/至少 8 位/);
  });

  it('logs in and authenticates by bearer token or cookie; a forged or foreign token is refused', async () => {
    const r = await accounts.login('ZHANG', 'zhang-pass-1', '10.1.2.3');
    expect(r.expiresAt).toBe(clock + 8 * 3600_000);
    const p = await accounts.authenticate(bearer(r.token));
    expect(p).toEqual({ id: r.staff.id, username: 'zhang', displayName: '张三', role: 'agent', departments: ['公安', '人社'] });
    expect(await accounts.authenticate(cookie(r.token))).toEqual(p);
    expect(canActOn(p!, '公安')).toBe(true);
    expect(canActOn(p!, '民政')).toBe(false);
    // One character of the signature changed, not the last two: the last base64url character carries
    // bits no byte uses, and 'xx' over a token ending in 'x' and 'w'–'z' was the same signature.
    const forged = r.token.slice(0, -5) + (r.token.at(-5) === 'A' ? 'B' : 'A') + r.token.slice(-4);
    expect(await accounts.authenticate(bearer(forged))).toBeNull();
    expect(await accounts.authenticate(new Request('http://x/'))).toBeNull();
    const other = new StaffAccounts(t.db, { ...opts, secret: 'another-secret-of-32-characters!!' });
    expect(await other.authenticate(bearer(r.token))).toBeNull();
    // A second instance sharing the secret (and the database) accepts it.
    const twin = new StaffAccounts(t.db, opts);
    expect(await twin.authenticate(bearer(r.token))).toEqual(p);
  });

  it('a session ends when it expires', async () => {
    const r = await accounts.login('zhang', 'zhang-pass-1');
    clock += 8 * 3600_000 - 1000;
    expect(await accounts.authenticate(bearer(r.token))).not.toBeNull();
    clock += 2000;
    expect(await accounts.authenticate(bearer(r.token))).toBeNull();
  });

  it('locks an account after repeated failures, in the database, across instances, then lets it in again', async () => {
    await accounts.create({ username: 'zhao', role: 'agent', departments: ['人社'], password: 'zhao-pass-1' }, by);
    const twin = new StaffAccounts(t.db, opts);
    const e1 = await rejects(accounts.login('zhao', 'wrong-1'));
    expect([e1.status, e1.code, e1.message]).toEqual([401, 'invalid_credentials', '用户名或密码错误']);
    await rejects(twin.login('zhao', 'wrong-2')); // the other instance counts on the same row
    const e3 = await rejects(accounts.login('zhao', 'wrong-3'));
    expect([e3.status, e3.code]).toEqual([429, 'account_locked']);
    expect(e3.headers?.['Retry-After']).toBe(String(15 * 60));
    // Locked: even the right password is refused, on both instances.
    for (const a of [accounts, twin]) expect((await rejects(a.login('zhao', 'zhao-pass-1'))).status).toBe(429);
    clock += 10 * 60_000;
    expect(Number((await rejects(twin.login('zhao', 'zhao-pass-1'))).headers?.['Retry-After'])).toBe(5 * 60);
    clock += 5 * 60_000 + 1;
    const ok = await accounts.login('zhao', 'zhao-pass-1');
    expect(ok.staff.username).toBe('zhao');
    // A success resets the count: two more failures do not lock.
    await rejects(accounts.login('zhao', 'wrong'));
    await rejects(accounts.login('zhao', 'wrong'));
    expect((await accounts.login('zhao', 'zhao-pass-1')).token).toBeTruthy();
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    const e = await rejects(accounts.login('nobody', 'x'));
    expect([e.status, e.code, e.message]).toEqual([401, 'invalid_credentials', '用户名或密码错误']);
  });

  it('logout ends that session only; disable and password reset end every session', async () => {
    const a = await accounts.login('zhang', 'zhang-pass-1');
    const b = await accounts.login('zhang', 'zhang-pass-1');
    expect((await accounts.logout(bearer(a.token), '10.0.0.1'))?.username).toBe('zhang');
    expect(await accounts.authenticate(bearer(a.token))).toBeNull();
    expect(await accounts.authenticate(bearer(b.token))).not.toBeNull();
    expect(await accounts.logout(bearer(a.token))).toBeNull();

    await accounts.resetPassword('zhang', 'zhang-pass-2', by);
    expect(await accounts.authenticate(bearer(b.token))).toBeNull();
    expect((await rejects(accounts.login('zhang', 'zhang-pass-1'))).status).toBe(401);

    const c = await accounts.login('zhang', 'zhang-pass-2');
    await accounts.setDisabled('zhang', true, by);
    expect(await accounts.authenticate(bearer(c.token))).toBeNull();
    const e = await rejects(accounts.login('zhang', 'zhang-pass-2'));
    expect([e.status, e.code]).toEqual([403, 'account_disabled']);
    expect((await rejects(accounts.login('zhang', 'wrong-password'))).status).toBe(401); // no hint without the password
    await accounts.setDisabled('zhang', false, by);
    expect(await accounts.authenticate(bearer((await accounts.login('zhang', 'zhang-pass-2')).token))).not.toBeNull();
  });

  it('changing one’s own password keeps this session and ends the others', async () => {
    const a = await accounts.login('zhang', 'zhang-pass-2');
    const b = await accounts.login('zhang', 'zhang-pass-2');
    const s = await accounts.resolve(bearer(a.token));
    expect((await rejects(accounts.changePassword(s!.principal.id, 'not-it', 'zhang-pass-3', s!.sessionId, by))).code).toBe('wrong_password');
    await accounts.changePassword(s!.principal.id, 'zhang-pass-2', 'zhang-pass-3', s!.sessionId, by);
    expect(await accounts.authenticate(bearer(a.token))).not.toBeNull();
    expect(await accounts.authenticate(bearer(b.token))).toBeNull();
  });

  it('updates departments and role, and never leaves the service without an admin', async () => {
    const u = await accounts.update('zhang', { departments: ['公安'] }, by);
    expect(u.departments).toEqual(['公安']);
    const token = (await accounts.login('zhang', 'zhang-pass-3')).token;
    expect((await accounts.authenticate(bearer(token)))?.departments).toEqual(['公安']); // read on each request
    expect((await rejects(accounts.setDisabled('boss', true, by))).status).toBe(409);
    expect((await rejects(accounts.update('boss', { role: 'agent', departments: ['公安'] }, by))).status).toBe(409);
    await accounts.update('zhang', { role: 'admin' }, by);
    await accounts.setDisabled('boss', true, by); // another admin exists now
    await accounts.setDisabled('boss', false, by);
    await accounts.update('zhang', { role: 'agent', departments: ['公安', '人社'] }, by);
    expect((await rejects(accounts.update('nobody', { departments: ['公安'] }, by))).status).toBe(404);
  });

  it('writes who, what, when and from where to the audit log, personal data masked', async () => {
    await rejects(accounts.login('13812345678', 'x', '192.168.1.5'));
    const [unknown] = await accounts.audit.query({ action: 'login.failure', limit: 1 });
    expect(unknown).toMatchObject({ actor: 'anonymous', ip: '192.168.1.5', at: clock, details: { reason: 'unknown_user', username: '138****5678' } });
    const rows = await t.db.selectFrom('audit_log').select('details').execute();
    expect(rows.map((r) => r.details ?? '').join('')).not.toContain('13812345678');
    const actions = new Set((await accounts.audit.query({ limit: 1000 })).map((e) => e.action));
    for (const a of ['staff.create', 'staff.update', 'staff.disable', 'staff.enable', 'staff.reset_password', 'staff.change_password', 'login.success', 'login.failure', 'login.lockout', 'login.locked', 'logout']) {
      expect(actions).toContain(a);
    }
    const logins = await accounts.audit.query({ action: 'login.', actor: 'zhao' });
    expect(logins.length).toBeGreaterThanOrEqual(5);
    expect(logins.every((e) => e.action.startsWith('login.') && e.actor === 'zhao')).toBe(true);
    expect(await accounts.audit.query({ from: clock + 1 })).toEqual([]);
  });

  it('bootstraps "admin" only when no admin exists and a password is given', async () => {
    const fresh = await openTestDatabase(dialect);
    try {
      const a = new StaffAccounts(fresh.db, opts);
      expect(await a.bootstrapAdmin(undefined)).toBe('no-password');
      expect(await a.bootstrapAdmin('admin-pass-123')).toBe('created');
      expect(await a.bootstrapAdmin('other-pass-123')).toBe('exists');
      const r = await a.login('admin', 'admin-pass-123');
      expect(r.staff.role).toBe('admin');
      expect(canActOn(r.staff, '任何部门')).toBe(true);
    } finally {
      await fresh.dispose();
    }
  });

  it('purges sessions that ended more than a day ago', async () => {
    await accounts.login('wang', (await accounts.resetPassword('wang', undefined, by)).password!);
    clock += 9 * 3600_000 + 24 * 3600_000;
    expect(await accounts.purgeSessions()).toBeGreaterThan(0);
    const left = await t.db.selectFrom('staff_sessions').select('id').execute();
    expect(left).toEqual([]);
  });
});

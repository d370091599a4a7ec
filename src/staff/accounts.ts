import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, badRequest, conflict, notFound } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { newId } from '../records/ids.js';
import type { Database, StaffRow } from '../records/schema.js';
import { DbAuditSink } from './audit.js';
import { burnVerify, generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { StaffPrincipal, StaffRole } from './principal.js';
import { TokenSigner } from './tokens.js';

export const SESSION_COOKIE = 'govchat_staff';

export interface StaffAccountsOptions {
  /** GOVCHAT_SECRET; unset: a random per-process secret (tokens end with the process). */
  secret?: string;
  tokenTtlHours: number;
  lockoutAttempts: number;
  lockoutMinutes: number;
  logger?: Logger;
  /** Injectable clock (tests move it instead of sleeping). */
  now?: () => number;
}

/** What admins and the account itself see of an account: never the hash. */
export interface StaffAccount {
  id: string;
  username: string;
  displayName: string | null;
  role: StaffRole;
  departments: string[];
  disabled: boolean;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface LoginResult {
  token: string;
  expiresAt: number;
  sessionId: string;
  staff: StaffPrincipal;
}

/** Who made a change and from where, for the audit log. */
export interface Actor {
  actor: string;
  ip?: string | null;
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{1,31}$/;
const DEPARTMENT = /^[^\s,，;；]{1,32}$/;

function toAccount(r: StaffRow): StaffAccount {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role as StaffRole,
    departments: JSON.parse(r.departments) as string[],
    disabled: !!Number(r.disabled),
    lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
    lastLoginAt: r.last_login_at === null || r.last_login_at === undefined ? null : Number(r.last_login_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toPrincipal(a: Pick<StaffAccount, 'id' | 'username' | 'displayName' | 'role' | 'departments'>): StaffPrincipal {
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, departments: a.departments };
}

/** Parses "公安,人社" (commas of either width) into a clean department list. */
export function parseDepartments(v: string | string[]): string[] {
  const parts = (Array.isArray(v) ? v : v.split(/[,，]/)).map((s) => s.trim()).filter(Boolean);
  return [...new Set(parts)];
}

function checkDepartments(role: StaffRole, departments: string[]): void {
  for (const d of departments) if (!DEPARTMENT.test(d)) throw badRequest(`部门名称不正确：${d}`);
  if (role === 'agent' && departments.length === 0) throw badRequest('坐席账号至少要属于一个部门（--departments 公安,人社）');
}

function bearerOrCookie(req: Request): string | null {
  const auth = req.headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    return m ? m[1] : null;
  }
  const cookie = req.headers.get('cookie');
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(i + 1).trim()) || null;
  }
  return null;
}

/**
 * Staff accounts: argon2id-hashed passwords, logins with lockout (counters in the database, so
 * they hold across instances), sessions that logout, disabling or a password reset revoke, and
 * the authenticator every staff route uses. Every change is written to the audit log.
 */
export class StaffAccounts {
  readonly signer: TokenSigner;
  readonly audit: DbAuditSink;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: StaffAccountsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.signer = new TokenSigner(opts.secret, this.now);
    this.audit = new DbAuditSink(db, this.now);
    if (this.signer.generated) {
      opts.logger?.warn('GOVCHAT_SECRET is not set: staff tokens are signed with a random secret made for this process; they stop working when it restarts and are not accepted by other instances');
    }
  }

  // ---- accounts -------------------------------------------------------------------------------

  /** Usernames are case-insensitive: stored and looked up in lower case. */
  private async row(username: string): Promise<StaffRow | undefined> {
    return this.db.selectFrom('staff').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
  }

  private async mustRow(username: string): Promise<StaffRow> {
    const r = await this.row(username);
    if (!r) throw notFound(`没有账号 ${username}`);
    return r;
  }

  async get(username: string): Promise<StaffAccount | null> {
    const r = await this.row(username);
    return r ? toAccount(r) : null;
  }

  async getById(id: string): Promise<StaffAccount | null> {
    const r = await this.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toAccount(r) : null;
  }

  async list(): Promise<StaffAccount[]> {
    const rows = await this.db.selectFrom('staff').selectAll().orderBy('username').execute();
    return rows.map(toAccount);
  }

  /** Creates an account; without a password one is generated and returned (to be shown once). */
  async create(
    input: { username: string; role: StaffRole; departments: string[]; password?: string; displayName?: string | null },
    by: Actor,
  ): Promise<{ account: StaffAccount; password?: string }> {
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username)) throw badRequest('用户名为 2–32 位字母、数字、下划线、点或短横线，以字母或数字开头');
    const departments = parseDepartments(input.departments);
    checkDepartments(input.role, departments);
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password ?? generated!;
    const problem = passwordProblem(password, username);
    if (problem) throw badRequest(problem);
    if (await this.row(username)) throw conflict(`账号 ${username} 已存在`);
    const now = this.now();
    const row = {
      id: newId('s'),
      username,
      display_name: input.displayName?.trim() || null,
      password_hash: await hashPassword(password),
      role: input.role,
      departments: JSON.stringify(departments),
      disabled: 0,
      failed_logins: 0,
      locked_until: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('staff').values(row).execute();
    } catch (e) {
      if (await this.row(username)) throw conflict(`账号 ${username} 已存在`);
      throw e;
    }
    await this.audit.record({ ...by, action: 'staff.create', target: username, details: { role: input.role, departments, passwordGenerated: !!generated } });
    return { account: toAccount(row), ...(generated ? { password: generated } : {}) };
  }

  async update(username: string, patch: { departments?: string[]; role?: StaffRole; displayName?: string | null }, by: Actor): Promise<StaffAccount> {
    const r = await this.mustRow(username);
    const current = toAccount(r);
    const role = patch.role ?? current.role;
    const departments = patch.departments ? parseDepartments(patch.departments) : current.departments;
    checkDepartments(role, departments);
    if (current.role === 'admin' && role !== 'admin' && !current.disabled) await this.keepOneAdmin(current.id);
    await this.db
      .updateTable('staff')
      .set({
        role,
        departments: JSON.stringify(departments),
        ...(patch.displayName !== undefined ? { display_name: patch.displayName?.trim() || null } : {}),
        updated_at: this.now(),
      })
      .where('id', '=', r.id)
      .execute();
    await this.audit.record({
      ...by,
      action: 'staff.update',
      target: username,
      details: { before: { role: current.role, departments: current.departments }, after: { role, departments }, ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}) },
    });
    return (await this.get(username))!;
  }

  /** Refuses to remove the last enabled admin: nobody could manage accounts any more. */
  private async keepOneAdmin(exceptId: string): Promise<void> {
    const others = await this.db
      .selectFrom('staff')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .where('id', '!=', exceptId)
      .executeTakeFirstOrThrow();
    if (Number(others.n) === 0) throw conflict('这是最后一个可用的管理员账号，不能停用或降级');
  }

  async setDisabled(username: string, disabled: boolean, by: Actor): Promise<StaffAccount> {
    const r = await this.mustRow(username);
    if (disabled && r.role === 'admin' && !Number(r.disabled)) await this.keepOneAdmin(r.id);
    const now = this.now();
    await this.db
      .updateTable('staff')
      .set({ disabled: disabled ? 1 : 0, updated_at: now, ...(disabled ? {} : { failed_logins: 0, locked_until: null }) })
      .where('id', '=', r.id)
      .execute();
    if (disabled) await this.revokeAll(r.id);
    await this.audit.record({ ...by, action: disabled ? 'staff.disable' : 'staff.enable', target: username });
    return (await this.get(username))!;
  }

  /** Sets a new password (generated when none is given), unlocks, and ends every session. */
  async resetPassword(username: string, password: string | undefined, by: Actor): Promise<{ account: StaffAccount; password?: string }> {
    const r = await this.mustRow(username);
    const generated = password === undefined ? generatePassword() : undefined;
    const pw = password ?? generated!;
    const problem = passwordProblem(pw, username);
    if (problem) throw badRequest(problem);
    await this.db
      .updateTable('staff')
      .set({ password_hash: await hashPassword(pw), failed_logins: 0, locked_until: null, updated_at: this.now() })
      .where('id', '=', r.id)
      .execute();
    await this.revokeAll(r.id);
    await this.audit.record({ ...by, action: 'staff.reset_password', target: username, details: { passwordGenerated: !!generated } });
    return { account: (await this.get(username))!, ...(generated ? { password: generated } : {}) };
  }

  /** A member of staff changes their own password; their other sessions end, this one stays. */
  async changePassword(staffId: string, current: string, next: string, keepSessionId: string | null, by: Actor): Promise<void> {
    const r = await this.db.selectFrom('staff').selectAll().where('id', '=', staffId).executeTakeFirst();
    if (!r) throw notFound('账号不存在');
    if (!(await verifyPassword(r.password_hash, current))) {
      await this.audit.record({ ...by, action: 'staff.change_password_failed', target: r.username });
      throw new AppError(400, 'wrong_password', '当前密码不正确');
    }
    const problem = passwordProblem(next, r.username);
    if (problem) throw badRequest(problem);
    await this.db.updateTable('staff').set({ password_hash: await hashPassword(next), updated_at: this.now() }).where('id', '=', r.id).execute();
    let q = this.db.updateTable('staff_sessions').set({ revoked_at: this.now() }).where('staff_id', '=', r.id).where('revoked_at', 'is', null);
    if (keepSessionId) q = q.where('id', '!=', keepSessionId);
    await q.execute();
    await this.audit.record({ ...by, action: 'staff.change_password', target: r.username });
  }

  /**
   * On start-up: when no admin exists and a password is given (GOVCHAT_ADMIN_PASSWORD), creates
   * the account "admin". Returns what it did, for the log.
   */
  async bootstrapAdmin(password: string | undefined): Promise<'created' | 'exists' | 'no-password' | 'name-taken'> {
    const admins = await this.db.selectFrom('staff').select('id').where('role', '=', 'admin').limit(1).execute();
    if (admins.length) return 'exists';
    if (!password) {
      this.opts.logger?.warn('no admin account exists: set GOVCHAT_ADMIN_PASSWORD or run npm run staff -- add <name> --role admin');
      return 'no-password';
    }
    if (await this.row('admin')) {
      this.opts.logger?.warn('no admin account exists and the username "admin" is taken by an agent; create one with npm run staff -- add <name> --role admin');
      return 'name-taken';
    }
    try {
      await this.create({ username: 'admin', role: 'admin', departments: [], password }, { actor: 'system' });
    } catch (e) {
      // Another instance starting at the same moment created it first.
      if (e instanceof AppError && e.status === 409) return 'exists';
      throw e;
    }
    this.opts.logger?.info('created the admin account "admin" from GOVCHAT_ADMIN_PASSWORD');
    return 'created';
  }

  // ---- logins ---------------------------------------------------------------------------------

  private locked(retryAfterMs: number): AppError {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const minutes = Math.ceil(seconds / 60);
    return new AppError(429, 'account_locked', `密码错误次数过多，账号已锁定，请 ${minutes} 分钟后再试，或请管理员重置密码`, undefined, { 'Retry-After': String(seconds) });
  }

  async login(username: string, password: string, ip?: string | null): Promise<LoginResult> {
    const invalid = new AppError(401, 'invalid_credentials', '用户名或密码错误');
    const r = await this.row(username);
    const now = this.now();
    if (!r) {
      await burnVerify(password);
      // What was typed goes in the (masked) details: people do type a phone number as a username.
      await this.audit.record({ actor: 'anonymous', action: 'login.failure', ip, details: { reason: 'unknown_user', username: username.slice(0, 64) } });
      throw invalid;
    }
    if (r.locked_until !== null && Number(r.locked_until) > now) {
      await this.audit.record({ actor: r.username, action: 'login.locked', ip });
      throw this.locked(Number(r.locked_until) - now);
    }
    if (!(await verifyPassword(r.password_hash, password))) {
      // Counted in the database with one atomic update, so instances behind a balancer share it.
      const counted = await this.db
        .updateTable('staff')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', r.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      if (Number(counted.failed_logins) >= this.opts.lockoutAttempts) {
        const until = now + this.opts.lockoutMinutes * 60_000;
        await this.db.updateTable('staff').set({ locked_until: until, failed_logins: 0 }).where('id', '=', r.id).execute();
        await this.audit.record({ actor: r.username, action: 'login.lockout', ip, details: { attempts: Number(counted.failed_logins), minutes: this.opts.lockoutMinutes } });
        throw this.locked(until - now);
      }
      await this.audit.record({ actor: r.username, action: 'login.failure', ip, details: { reason: 'wrong_password', attempts: Number(counted.failed_logins) } });
      throw invalid;
    }
    if (Number(r.disabled)) {
      await this.audit.record({ actor: r.username, action: 'login.failure', ip, details: { reason: 'disabled' } });
      throw new AppError(403, 'account_disabled', '账号已停用，请联系管理员');
    }
    const expiresAt = now + this.opts.tokenTtlHours * 3600_000;
    const sessionId = randomBytes(16).toString('base64url');
    await this.db.insertInto('staff_sessions').values({ id: sessionId, staff_id: r.id, created_at: now, expires_at: expiresAt, revoked_at: null, ip: ip ?? null }).execute();
    await this.db.updateTable('staff').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', r.id).execute();
    const token = await this.signer.sign({ sub: r.id, sid: sessionId, exp: Math.floor(expiresAt / 1000) });
    await this.audit.record({ actor: r.username, action: 'login.success', ip });
    return { token, expiresAt, sessionId, staff: toPrincipal(toAccount(r)) };
  }

  /** Ends the session a request carries. Returns who it was, or null when it carried none. */
  async logout(req: Request, ip?: string | null): Promise<StaffPrincipal | null> {
    const s = await this.resolve(req);
    if (!s) return null;
    await this.db.updateTable('staff_sessions').set({ revoked_at: this.now() }).where('id', '=', s.sessionId).execute();
    await this.audit.record({ actor: s.principal.username, action: 'logout', ip });
    return s.principal;
  }

  private async revokeAll(staffId: string): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ revoked_at: this.now() }).where('staff_id', '=', staffId).where('revoked_at', 'is', null).execute();
  }

  /** The principal and session of a request's bearer token or cookie, checked against the database. */
  async resolve(req: Request): Promise<{ principal: StaffPrincipal; sessionId: string; expiresAt: number } | null> {
    const token = bearerOrCookie(req);
    if (!token) return null;
    const claims = await this.signer.verify(token);
    if (!claims) return null;
    const r = await this.db
      .selectFrom('staff_sessions')
      .innerJoin('staff', 'staff.id', 'staff_sessions.staff_id')
      .select([
        'staff.id as id',
        'staff.username as username',
        'staff.display_name as display_name',
        'staff.role as role',
        'staff.departments as departments',
        'staff.disabled as disabled',
        'staff_sessions.expires_at as expires_at',
        'staff_sessions.revoked_at as revoked_at',
      ])
      .where('staff_sessions.id', '=', claims.sid)
      .executeTakeFirst();
    if (!r || r.id !== claims.sub || r.revoked_at !== null || Number(r.disabled) || Number(r.expires_at) <= this.now()) return null;
    return {
      principal: { id: r.id, username: r.username, displayName: r.display_name, role: r.role as StaffRole, departments: JSON.parse(r.departments) as string[] },
      sessionId: claims.sid,
      expiresAt: Number(r.expires_at),
    };
  }

  /** The StaffAuthenticator other capabilities consume. */
  readonly authenticate = async (req: Request): Promise<StaffPrincipal | null> => (await this.resolve(req))?.principal ?? null;

  /** Removes sessions that ended more than a day ago (retention). */
  async purgeSessions(): Promise<number> {
    const cutoff = this.now() - 24 * 3600_000;
    const r = await this.db
      .deleteFrom('staff_sessions')
      .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

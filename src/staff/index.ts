import { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import type { Logger } from '../platform/logger.js';
import type { Database } from '../records/schema.js';
import { StaffAccounts } from './accounts.js';
import type { DbAuditSink } from './audit.js';
import type { StaffAuthenticator } from './principal.js';
import { adminStaffRoutes, staffAuthRoutes } from './routes.js';

export { StaffAccounts, SESSION_COOKIE, parseDepartments, type StaffAccount, type LoginResult, type Actor } from './accounts.js';
export { DbAuditSink, type AuditEntry, type AuditQuery } from './audit.js';
export { canActOn, type StaffPrincipal, type StaffAuthenticator, type StaffRole, type AuditSink } from './principal.js';
export { requireStaff } from './middleware.js';
export { clientIp } from './ip.js';
export { STAFF_ERRORS, STAFF_SECURITY, StaffPrincipalSchema } from './routes.js';

export type StaffConfig = Pick<
  Config,
  'GOVCHAT_SECRET' | 'GOVCHAT_ADMIN_PASSWORD' | 'STAFF_TOKEN_TTL_HOURS' | 'STAFF_LOCKOUT_ATTEMPTS' | 'STAFF_LOCKOUT_MINUTES' | 'PUBLIC_URL'
>;

/** What the rest of govchat uses of staff accounts. */
export interface StaffModule {
  accounts: StaffAccounts;
  /** Bearer token or session cookie -> principal (null: not logged in, or the session ended). */
  authenticate: StaffAuthenticator;
  /** The audit log: every staff action is recorded here. */
  audit: DbAuditSink;
  login: StaffAccounts['login'];
  logout: StaffAccounts['logout'];
  /** Creates "admin" from GOVCHAT_ADMIN_PASSWORD when no admin exists (run on start-up). */
  bootstrapAdmin(): ReturnType<StaffAccounts['bootstrapAdmin']>;
  /** /api/staff/login|logout|me|password and /api/admin/staff|audit. */
  routes(): OpenAPIHono<AppEnv>;
}

export function createStaffAccounts(db: Kysely<Database>, config: StaffConfig, opts: { logger?: Logger; now?: () => number } = {}): StaffModule {
  const accounts = new StaffAccounts(db, {
    secret: config.GOVCHAT_SECRET,
    tokenTtlHours: config.STAFF_TOKEN_TTL_HOURS,
    lockoutAttempts: config.STAFF_LOCKOUT_ATTEMPTS,
    lockoutMinutes: config.STAFF_LOCKOUT_MINUTES,
    logger: opts.logger,
    now: opts.now,
  });
  const secureCookie = !!config.PUBLIC_URL && new URL(config.PUBLIC_URL).protocol === 'https:';
  return {
    accounts,
    authenticate: accounts.authenticate,
    audit: accounts.audit,
    login: accounts.login.bind(accounts),
    logout: accounts.logout.bind(accounts),
    bootstrapAdmin: () => accounts.bootstrapAdmin(config.GOVCHAT_ADMIN_PASSWORD),
    routes: () => {
      const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
      app.route('/', staffAuthRoutes(accounts, { secureCookie }));
      app.route('/', adminStaffRoutes(accounts));
      return app;
    },
  };
}

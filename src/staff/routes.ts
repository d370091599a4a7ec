import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { unauthorized } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import { PeriodQuery } from '../platform/period.js';
import { SESSION_COOKIE, type StaffAccount, type StaffAccounts } from './accounts.js';
import { clientIp } from './ip.js';
import { requireStaff } from './middleware.js';
import { PASSWORD_MAX } from './passwords.js';
import { limitBody } from '../platform/body-limit.js';

export const STAFF_SECURITY: Record<string, string[]>[] = [{ staffBearer: [] }, { staffCookie: [] }];

const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });
/** The error responses every staff route can give. */
export const STAFF_ERRORS = { 400: err('Invalid request'), 401: err('Not logged in, or the session ended'), 403: err('Not allowed for this role or department') };

export const StaffPrincipalSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string().nullable(),
    role: z.enum(['agent', 'admin']),
    departments: z.array(z.string()).openapi({ description: 'Departments an agent works for; admins act on all' }),
  })
  .openapi('StaffPrincipal');

export const StaffAccountSchema = StaffPrincipalSchema.extend({
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('StaffAccount');

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export function accountJson(a: StaffAccount): z.infer<typeof StaffAccountSchema> {
  return {
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    departments: a.departments,
    disabled: a.disabled,
    lockedUntil: a.lockedUntil !== null && a.lockedUntil > Date.now() ? iso(a.lockedUntil) : null,
    lastLoginAt: iso(a.lastLoginAt),
    createdAt: iso(a.createdAt)!,
    updatedAt: iso(a.updatedAt)!,
  };
}

const Username = z.string().min(1).max(64);
const Password = z.string().min(1).max(PASSWORD_MAX);
const Departments = z.array(z.string().min(1).max(32)).max(100);

const login = createRoute({
  method: 'post',
  path: '/api/staff/login',
  tags: ['staff'],
  summary: 'Log in: a bearer token for API use, and an HTTP-only session cookie for the browser',
  request: { body: { content: { 'application/json': { schema: z.object({ username: Username, password: Password }).openapi('StaffLogin') } }, required: true } },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ token: z.string(), expiresAt: z.string(), staff: StaffPrincipalSchema }).openapi('StaffSession') } },
      description: 'Logged in',
    },
    400: err('Invalid request'),
    401: err('Wrong username or password'),
    403: err('Account disabled'),
    429: err('Account locked after repeated failures (Retry-After says for how long)'),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/api/staff/logout',
  tags: ['staff'],
  summary: 'Log out: the token and cookie stop working on every instance',
  security: STAFF_SECURITY,
  responses: { 200: { content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } }, description: 'Logged out' }, 401: err('Not logged in') },
});

const me = createRoute({
  method: 'get',
  path: '/api/staff/me',
  tags: ['staff'],
  summary: 'The member of staff logged in',
  security: STAFF_SECURITY,
  responses: {
    200: { content: { 'application/json': { schema: z.object({ staff: StaffAccountSchema, expiresAt: z.string() }) } }, description: 'The account' },
    401: err('Not logged in'),
  },
});

const changePassword = (accounts: StaffAccounts) => createRoute({
  method: 'post',
  path: '/api/staff/password',
  tags: ['staff'],
  summary: 'Change one’s own password; every other session of the account ends',
  security: STAFF_SECURITY,
  // Authentication before the body is validated: anonymous callers get 401, not a 400.
  middleware: [requireStaff(accounts.authenticate)],
  request: {
    body: { content: { 'application/json': { schema: z.object({ currentPassword: Password, newPassword: Password }) } }, required: true },
  },
  responses: { 200: { content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } }, description: 'Changed' }, ...STAFF_ERRORS },
});

export interface StaffRoutesOptions {
  /** PUBLIC_URL is https: the cookie is marked Secure. */
  secureCookie: boolean;
}

/** Login, logout, the current account and password change. */
export function staffAuthRoutes(accounts: StaffAccounts, opts: StaffRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.registerComponent('securitySchemes', 'staffBearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'staffCookie', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE });
  const cookieBase = { httpOnly: true, sameSite: 'Strict', secure: opts.secureCookie, path: '/' } as const;
  // The one staff route open to anyone: a small body limit before anything is parsed.
  app.use(
    '/api/staff/login',
    limitBody({ maxBytes: 4096, message: '请求体过大' }),
  );

  app.openapi(login, async (c) => {
    const { username, password } = c.req.valid('json');
    const r = await accounts.login(username, password, clientIp(c));
    setCookie(c, SESSION_COOKIE, r.token, { ...cookieBase, expires: new Date(r.expiresAt), maxAge: Math.floor((r.expiresAt - Date.now()) / 1000) });
    c.header('Cache-Control', 'no-store');
    return c.json({ token: r.token, expiresAt: new Date(r.expiresAt).toISOString(), staff: r.staff }, 200);
  });

  app.openapi(logout, async (c) => {
    const who = await accounts.logout(c.req.raw, clientIp(c));
    deleteCookie(c, SESSION_COOKIE, cookieBase);
    if (!who) throw unauthorized('请先登录');
    return c.json({ ok: true }, 200);
  });

  app.openapi(me, async (c) => {
    const s = await accounts.resolve(c.req.raw);
    if (!s) throw unauthorized('请先登录');
    const a = await accounts.getById(s.principal.id);
    if (!a) throw unauthorized('请先登录');
    return c.json({ staff: accountJson(a), expiresAt: new Date(s.expiresAt).toISOString() }, 200);
  });

  app.openapi(changePassword(accounts), async (c) => {
    const s = await accounts.resolve(c.req.raw);
    if (!s) throw unauthorized('请先登录');
    const { currentPassword, newPassword } = c.req.valid('json');
    await accounts.changePassword(s.principal.id, currentPassword, newPassword, s.sessionId, { actor: s.principal.username, ip: clientIp(c) });
    return c.json({ ok: true }, 200);
  });
  return app;
}

// ---- admin: accounts and the audit log -----------------------------------------------------------

const UsernameParam = z.object({ username: z.string().min(1).max(64) });
const AccountResponse = { content: { 'application/json': { schema: z.object({ staff: StaffAccountSchema, password: z.string().optional().openapi({ description: 'Generated password, shown this once' }) }) } }, description: 'The account' };

const AuditEntrySchema = z
  .object({ seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), target: z.string().nullable(), details: z.unknown(), ip: z.string().nullable() })
  .openapi('AuditEntry');

/** Account management and the audit log, for admins. */
export function adminStaffRoutes(accounts: StaffAccounts) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const admin = [requireStaff(accounts.authenticate, 'admin')];
  const by = (c: { get(k: 'staff'): { username: string } }, ip: string | null) => ({ actor: c.get('staff').username, ip });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/staff',
      tags: ['admin'],
      summary: 'Every staff account',
      security: STAFF_SECURITY,
      middleware: admin,
      responses: { 200: { content: { 'application/json': { schema: z.object({ items: z.array(StaffAccountSchema) }) } }, description: 'Accounts' }, ...STAFF_ERRORS },
    }),
    async (c) => c.json({ items: (await accounts.list()).map(accountJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/admin/staff',
      tags: ['admin'],
      summary: 'Create an account (without a password, one is generated and returned once)',
      security: STAFF_SECURITY,
      middleware: admin,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z
                .object({ username: Username, role: z.enum(['agent', 'admin']), departments: Departments.default([]), password: Password.optional(), displayName: z.string().max(64).optional() })
                .openapi('NewStaff'),
            },
          },
          required: true,
        },
      },
      responses: { 201: AccountResponse, ...STAFF_ERRORS, 409: err('The username is taken') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const r = await accounts.create(body, by(c, clientIp(c)));
      c.header('Cache-Control', 'no-store');
      return c.json({ staff: accountJson(r.account), ...(r.password ? { password: r.password } : {}) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/admin/staff/{username}',
      tags: ['admin'],
      summary: 'Change an account’s departments, role or display name',
      security: STAFF_SECURITY,
      middleware: admin,
      request: {
        params: UsernameParam,
        body: {
          content: { 'application/json': { schema: z.object({ departments: Departments.optional(), role: z.enum(['agent', 'admin']).optional(), displayName: z.string().max(64).nullable().optional() }) } },
          required: true,
        },
      },
      responses: { 200: AccountResponse, ...STAFF_ERRORS, 404: err('No such account'), 409: err('Would leave no admin') },
    }),
    async (c) => {
      const a = await accounts.update(c.req.valid('param').username, c.req.valid('json'), by(c, clientIp(c)));
      return c.json({ staff: accountJson(a) }, 200);
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/admin/staff/{username}/${action}`,
        tags: ['admin'],
        summary: disabled ? 'Disable an account: its sessions end at once' : 'Enable an account again (and unlock it)',
        security: STAFF_SECURITY,
        middleware: admin,
        request: { params: UsernameParam },
        responses: { 200: AccountResponse, ...STAFF_ERRORS, 404: err('No such account'), 409: err('Would leave no admin') },
      }),
      async (c) => {
        const a = await accounts.setDisabled(c.req.valid('param').username, disabled, by(c, clientIp(c)));
        return c.json({ staff: accountJson(a) }, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/admin/staff/{username}/reset-password',
      tags: ['admin'],
      summary: 'Set a new password (generated when none is given); unlocks and ends every session',
      security: STAFF_SECURITY,
      middleware: admin,
      request: { params: UsernameParam, body: { content: { 'application/json': { schema: z.object({ password: Password.optional() }) } }, required: false } },
      responses: { 200: AccountResponse, ...STAFF_ERRORS, 404: err('No such account') },
    }),
    async (c) => {
      // The body is optional: an empty POST generates a password.
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {};
      const r = await accounts.resetPassword(c.req.valid('param').username, body?.password, by(c, clientIp(c)));
      c.header('Cache-Control', 'no-store');
      return c.json({ staff: accountJson(r.account), ...(r.password ? { password: r.password } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/admin/audit',
      tags: ['admin'],
      summary: 'The audit log, newest first: who did what, when, from where',
      security: STAFF_SECURITY,
      middleware: admin,
      request: {
        query: z.object({
          actor: z.string().max(64).optional(),
          action: z.string().max(64).optional().openapi({ description: 'exact action, or a prefix ending in "." such as login.' }),
          ...PeriodQuery,
          before: z.coerce.number().int().min(1).optional().openapi({ description: 'seq of the last entry of the previous page' }),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: {
        200: { content: { 'application/json': { schema: z.object({ items: z.array(AuditEntrySchema), next: z.number().nullable() }) } }, description: 'Entries' },
        ...STAFF_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const items = await accounts.audit.query(q);
      return c.json(
        {
          items: items.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
          next: items.length === q.limit ? items[items.length - 1].seq : null,
        },
        200,
      );
    },
  );
  return app;
}

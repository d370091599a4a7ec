/**
 * The authorization matrix: every staff and admin endpoint × every role × a resource of the
 * role's own department or another, with the status each must get. Table-driven: a capability
 * adds its endpoints as rows (e.g. the handoff's claim, reply, transfer and close, with `target`
 * the department of the conversation acted on and `prepare` creating one).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/platform/logger.js';
import { CannedReplies } from '../../src/console/index.js';
import { createServices, type Services } from '../../src/services.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { sharedLibrary } from '../support/library.js';

const ROLES = ['anonymous', 'revoked', 'agent公安', 'agent人社', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Department = '公安' | '人社';

/** What a row can use to build its request. */
interface Ctx {
  services: Services;
  /** A fresh 差评 follow-up of a department (for rows that change it). */
  followup(department: Department): Promise<string>;
  /** A fresh agent account to manage. */
  account(): Promise<string>;
  /** A conversation of a department waiting for a person (citizen asked, then 转人工); held by `holder` when given. */
  handoff(department: Department, holder?: Role): Promise<string>;
}

interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path pattern, for the test name. */
  path: string;
  /** The department of the resource acted on; null: none. */
  target: Department | null;
  /** Builds the concrete path and body. */
  prepare?: (ctx: Ctx, target: Department | null, role: Role) => Promise<{ path?: string; body?: unknown }>;
  body?: unknown;
  /** Expected status per role: own/other follows from `target` and the agent's department. */
  expect: Record<Role, number>;
  /** Each request logs in afresh (the endpoint ends the session). */
  freshLogin?: boolean;
}

const DENIED = { anonymous: 401, revoked: 401 } as const;
/** For admin-only endpoints. */
const adminOnly = (ok: number): Row['expect'] => ({ ...DENIED, agent公安: 403, agent人社: 403, admin: ok });
/** For any logged-in member of staff. */
const anyStaff = (ok: number): Row['expect'] => ({ ...DENIED, agent公安: ok, agent人社: ok, admin: ok });
/** For a resource of `target`: its own department's agents and admins may, others may not. */
const ownDept = (target: Department, ok: number): Row['expect'] => ({ ...DENIED, agent公安: target === '公安' ? ok : 403, agent人社: target === '人社' ? ok : 403, admin: ok });
const bothDepartments = (make: (d: Department) => Row): Row[] => (['公安', '人社'] as const).map(make);

/** A fresh 常用语 to change or remove. */
const cannedReply = async (c: Ctx) => (await new CannedReplies(c.services.database.db).create({ department: '公安', text: '请稍等。' }, 'test')).id;

export const ROWS: Row[] = [
  { method: 'GET', path: '/api/staff/me', target: null, expect: anyStaff(200) },
  { method: 'POST', path: '/api/staff/logout', target: null, expect: anyStaff(200), freshLogin: true },
  // Authenticated first: a logged-in caller with the wrong current password gets 400, not 401.
  { method: 'POST', path: '/api/staff/password', target: null, body: { currentPassword: 'not-the-password', newPassword: 'another-pass-1' }, expect: anyStaff(400) },
  { method: 'GET', path: '/api/staff/followups', target: null, expect: anyStaff(200) },
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/staff/followups?department=', target: d, prepare: async () => ({ path: `/api/staff/followups?department=${encodeURIComponent(d)}` }), expect: ownDept(d, 200) })),
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/staff/followups/:id', target: d, prepare: async (c) => ({ path: `/api/staff/followups/${await c.followup(d)}` }), expect: ownDept(d, 200) })),
  ...bothDepartments((d) => ({
    method: 'PATCH',
    path: '/api/staff/followups/:id',
    target: d,
    prepare: async (c) => ({ path: `/api/staff/followups/${await c.followup(d)}`, body: { action: '已电话联系群众核实情况' } }),
    expect: ownDept(d, 200),
  })),
  ...bothDepartments((d) => ({
    method: 'POST',
    path: '/api/staff/followups/:id/close',
    target: d,
    prepare: async (c) => ({ path: `/api/staff/followups/${await c.followup(d)}/close`, body: { action: '已核实', answer: '您好，已为您核实并补充了说明。' } }),
    expect: ownDept(d, 200),
  })),
  { method: 'GET', path: '/api/admin/stats', target: null, expect: anyStaff(200) },
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/admin/stats?department=', target: d, prepare: async () => ({ path: `/api/admin/stats?department=${encodeURIComponent(d)}` }), expect: ownDept(d, 200) })),
  { method: 'GET', path: '/api/admin/unanswered', target: null, expect: adminOnly(200) },
  { method: 'GET', path: '/api/admin/export/ratings.csv', target: null, expect: adminOnly(200) },
  { method: 'GET', path: '/api/admin/export/conversations.csv', target: null, expect: adminOnly(200) },
  { method: 'GET', path: '/api/admin/staff', target: null, expect: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/admin/staff',
    target: null,
    prepare: async () => ({ body: { username: `new-${randomBytes(4).toString('hex')}`, role: 'agent', departments: ['公安'] } }),
    expect: adminOnly(201),
  },
  { method: 'PATCH', path: '/api/admin/staff/:username', target: null, prepare: async (c) => ({ path: `/api/admin/staff/${await c.account()}`, body: { departments: ['人社'] } }), expect: adminOnly(200) },
  { method: 'POST', path: '/api/admin/staff/:username/disable', target: null, prepare: async (c) => ({ path: `/api/admin/staff/${await c.account()}/disable` }), expect: adminOnly(200) },
  { method: 'POST', path: '/api/admin/staff/:username/enable', target: null, prepare: async (c) => ({ path: `/api/admin/staff/${await c.account()}/enable` }), expect: adminOnly(200) },
  { method: 'POST', path: '/api/admin/staff/:username/reset-password', target: null, prepare: async (c) => ({ path: `/api/admin/staff/${await c.account()}/reset-password` }), expect: adminOnly(200) },
  { method: 'GET', path: '/api/admin/audit', target: null, expect: adminOnly(200) },
  // The console (src/console): 常用语 for agents of the department, their editing and the knowledge base for admins.
  { method: 'GET', path: '/api/staff/canned-replies', target: null, expect: anyStaff(200) },
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/staff/canned-replies?department=', target: d, prepare: async () => ({ path: `/api/staff/canned-replies?department=${encodeURIComponent(d)}` }), expect: ownDept(d, 200) })),
  { method: 'POST', path: '/api/admin/canned-replies', target: null, body: { department: '公安', text: '您好，请问有什么可以帮您？' }, expect: adminOnly(201) },
  { method: 'PATCH', path: '/api/admin/canned-replies/:id', target: null, prepare: async (c) => ({ path: `/api/admin/canned-replies/${await cannedReply(c)}`, body: { text: '您好，请讲。' } }), expect: adminOnly(200) },
  { method: 'DELETE', path: '/api/admin/canned-replies/:id', target: null, prepare: async (c) => ({ path: `/api/admin/canned-replies/${await cannedReply(c)}` }), expect: adminOnly(200) },
  { method: 'GET', path: '/api/admin/kb', target: null, expect: adminOnly(200) },
  // JSON, not multipart: 415 (a real upload would rebuild the shared library; src/console/routes.test.ts uploads).
  { method: 'POST', path: '/api/admin/kb/imports', target: null, body: { file: 'x' }, expect: adminOnly(415) },
  { method: 'GET', path: '/api/admin/kb/jobs/:id', target: null, prepare: async () => ({ path: '/api/admin/kb/jobs/kbj_none' }), expect: adminOnly(404) },
  // The handoff's staff API: the queue, and acting on a conversation of one's own department or another.
  { method: 'GET', path: '/api/staff/queue', target: null, expect: anyStaff(200) },
  { method: 'GET', path: '/api/staff/callbacks', target: null, expect: anyStaff(200) },
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/staff/queue?department=', target: d, prepare: async () => ({ path: `/api/staff/queue?department=${encodeURIComponent(d)}` }), expect: ownDept(d, 200) })),
  ...bothDepartments((d) => ({ method: 'POST', path: '/api/staff/conversations/:id/claim', target: d, prepare: async (c) => ({ path: `/api/staff/conversations/${await c.handoff(d)}/claim` }), expect: ownDept(d, 200) })),
  ...bothDepartments((d) => ({ method: 'GET', path: '/api/staff/conversations/:id', target: d, prepare: async (c) => ({ path: `/api/staff/conversations/${await c.handoff(d)}` }), expect: ownDept(d, 200) })),
  ...bothDepartments((d) => ({
    method: 'POST',
    path: '/api/staff/conversations/:id/messages (held by the caller)',
    target: d,
    prepare: async (c, _t, role) => ({ path: `/api/staff/conversations/${await c.handoff(d, role)}/messages`, body: { text: '您好，我是工作人员。' } }),
    expect: ownDept(d, 201),
  })),
  ...bothDepartments((d) => ({
    method: 'POST',
    path: '/api/staff/conversations/:id/transfer',
    target: d,
    prepare: async (c) => ({ path: `/api/staff/conversations/${await c.handoff(d)}/transfer`, body: { department: '综合', note: '转综合窗口' } }),
    expect: ownDept(d, 200),
  })),
  ...bothDepartments((d) => ({
    method: 'POST',
    path: '/api/staff/conversations/:id/close (held by the caller)',
    target: d,
    prepare: async (c, _t, role) => ({ path: `/api/staff/conversations/${await c.handoff(d, role)}/close` }),
    expect: ownDept(d, 200),
  })),
];

/** What a citizen of each department asks before asking for a person. */
const QUESTION: Record<Department, string> = { 公安: '身份证丢了怎么补办', 人社: '失业金怎么领' };

const PASSWORDS: Record<Exclude<Role, 'anonymous' | 'revoked'>, [string, string]> = {
  agent公安: ['ga-agent', 'ga-agent-pass-1'],
  agent人社: ['rs-agent', 'rs-agent-pass-1'],
  admin: ['admin', 'admin-pass-123'],
};

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  let t: TestDatabase;
  let services: Services;
  let app: App;
  const tokens: Partial<Record<Role, string>> = {};

  const login = async (role: Exclude<Role, 'anonymous' | 'revoked'>) => {
    const [username, password] = PASSWORDS[role];
    const res = await app.request('/api/staff/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    expect(res.status).toBe(200);
    return (await res.json()).token as string;
  };

  const ctx: Ctx = {
    get services() {
      return services;
    },
    async followup(department) {
      const sessionId = randomBytes(18).toString('base64url');
      const c = await services.records.openConversation(sessionId, 'web');
      await services.records.updateConversation(c.id, { department });
      await services.records.addMessage({ conversationId: c.id, role: 'citizen', text: '怎么办理' });
      await services.records.addMessage({ conversationId: c.id, role: 'bot', type: 'answer', text: '请带身份证……' });
      const r = await services.ratings.rate({ sessionId, level: 1, comment: '没说清楚' });
      return r.followup!.id;
    },
    async handoff(department, holder) {
      let sessionId: string | undefined;
      for (const message of [QUESTION[department], '转人工']) {
        const res = await app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, sessionId }) });
        sessionId = (await res.json()).sessionId;
      }
      const conv = (await services.records.conversationBySession(sessionId!))!;
      if (conv.department !== department) throw new Error(`handoff went to ${conv.department}, not ${department}`);
      // Held by the caller where the caller may hold it; by an admin otherwise (another's conversation).
      if (holder && holder !== 'anonymous' && holder !== 'revoked') {
        const may = holder === 'admin' || holder === `agent${department}`;
        const [username] = PASSWORDS[may ? holder : 'admin'];
        const a = (await services.staff.accounts.get(username))!;
        await services.handoff.service.claim({ id: a.id, username: a.username, displayName: a.displayName, role: a.role, departments: a.departments }, conv.id);
      }
      return conv.id;
    },
    async account() {
      const username = `acct-${randomBytes(4).toString('hex')}`;
      await services.staff.accounts.create({ username, role: 'agent', departments: ['公安'], password: 'acct-pass-123' }, { actor: 'test' });
      return username;
    },
  };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_IP_PER_MIN: '100000', GOVCHAT_SECRET: 'matrix-secret-0123456789abcdef', GOVCHAT_ADMIN_PASSWORD: PASSWORDS.admin[1] });
    services = await createServices(config, silentLogger, { library: await sharedLibrary(), ...t.overrides });
    app = createApp(services);
    await services.staff.accounts.create({ username: 'ga-agent', role: 'agent', departments: ['公安'], password: PASSWORDS.agent公安[1] }, { actor: 'test' });
    await services.staff.accounts.create({ username: 'rs-agent', role: 'agent', departments: ['人社'], password: PASSWORDS.agent人社[1] }, { actor: 'test' });
    for (const role of ['agent公安', 'agent人社', 'admin'] as const) tokens[role] = await login(role);
    // A token whose session was ended by logout.
    const revoked = await login('agent公安');
    await app.request('/api/staff/logout', { method: 'POST', headers: { authorization: `Bearer ${revoked}` } });
    tokens.revoked = revoked;
  });
  afterAll(async () => {
    await services?.close();
    await t?.dispose();
  });

  const cases = ROWS.flatMap((row) => ROLES.map((role) => ({ row, role, name: `${role} ${row.method} ${row.path}${row.target ? ` (${row.target} resource)` : ''} → ${row.expect[role]}` })));

  it.each(cases)('$name', async ({ row, role }) => {
    const prepared = row.prepare ? await row.prepare(ctx, row.target, role) : {};
    const path = prepared.path ?? row.path;
    const body = prepared.body ?? row.body;
    let token = tokens[role];
    if (row.freshLogin && role !== 'anonymous' && role !== 'revoked') token = await login(role);
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method: row.method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const status = res.status;
    if (status !== row.expect[role]) throw new Error(`${row.method} ${path} as ${role}: ${status} ${await res.text()}`);
    if (status >= 400) {
      const err = await res.json();
      expect(typeof err.error.code).toBe('string');
      expect(typeof err.error.message).toBe('string');
    }
  });

  it('an agent’s unfiltered lists and stats cover their own department only', async () => {
    const ga = await ctx.followup('公安');
    const rs = await ctx.followup('人社');
    const list = async (role: Role) =>
      ((await (await app.request('/api/staff/followups', { headers: { authorization: `Bearer ${tokens[role]}` } })).json()).items as { id: string }[]).map((f) => f.id);
    expect(await list('agent公安')).toContain(ga);
    expect(await list('agent公安')).not.toContain(rs);
    expect(await list('agent人社')).toContain(rs);
    expect(await list('agent人社')).not.toContain(ga);
    expect(await list('admin')).toEqual(expect.arrayContaining([ga, rs]));
    const stats = await (await app.request('/api/admin/stats', { headers: { authorization: `Bearer ${tokens.agent公安}` } })).json();
    expect(stats.departments).toEqual(['公安']);
  });
});

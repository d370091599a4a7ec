/**
 * Members of staff for the tests, as real accounts: created in the services' database, logged in
 * through POST /api/staff/login. Tests get their headers from `staffHeaders` only.
 */
import type { Services } from '../../src/services.js';
import type { StaffPrincipal, StaffRole } from '../../src/staff/principal.js';

export const STAFF = {
  admin: { username: 'admin', displayName: '管理员', role: 'admin', departments: [] },
  police: { username: 'wang', displayName: '王警官', role: 'agent', departments: ['公安'] },
  police2: { username: 'li', displayName: '李警官', role: 'agent', departments: ['公安'] },
  hr: { username: 'zhao', displayName: '赵老师', role: 'agent', departments: ['人社'] },
  general: { username: 'chen', displayName: '陈主任', role: 'agent', departments: ['综合', '人社'] },
} satisfies Record<string, { username: string; displayName: string; role: StaffRole; departments: string[] }>;

export type StaffKey = keyof typeof STAFF;

export const staffPassword = (who: StaffKey) => `test-${who}-password-1`;

/** Creates the accounts above where missing (several instances may share one database). */
export async function ensureStaff(services: Services): Promise<void> {
  for (const [key, s] of Object.entries(STAFF) as [StaffKey, (typeof STAFF)[StaffKey]][]) {
    if (await services.staff.accounts.get(s.username)) continue;
    try {
      await services.staff.accounts.create({ ...s, password: staffPassword(key) }, { actor: 'test' });
    } catch (e) {
      if ((e as { status?: number }).status !== 409) throw e; // another instance made it meanwhile
    }
  }
}

/** The principal of an account, as staff routes see it (for calling services directly). */
export async function principal(services: Services, who: StaffKey): Promise<StaffPrincipal> {
  const a = await services.staff.accounts.get(STAFF[who].username);
  if (!a) throw new Error(`no account ${STAFF[who].username}: call ensureStaff first`);
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, departments: a.departments };
}

/** Something that can send a request: an app (`app.request`) or a base URL of a running server. */
export type Target = string | { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

const tokens = new Map<string, string>();
const appIds = new WeakMap<object, number>();
let nextAppId = 0;

/** The headers a member of staff's requests carry: a bearer token from a real login (one login per target). */
export async function staffHeaders(target: Target, who: StaffKey): Promise<Record<string, string>> {
  const key = `${typeof target === 'string' ? target : `app${appIds.get(target) ?? (appIds.set(target, ++nextAppId), nextAppId)}`}|${who}`;
  let token = tokens.get(key);
  if (!token) {
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: STAFF[who].username, password: staffPassword(who) }) };
    const res = typeof target === 'string' ? await fetch(`${target}/api/staff/login`, init) : await target.request('/api/staff/login', init);
    if (res.status !== 200) throw new Error(`login as ${who} answered ${res.status}: ${await res.text()}`);
    token = ((await res.json()) as { token: string }).token;
    tokens.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}

/**
 * A staff API call over HTTP as `who` (a bearer token, so no CSRF header is needed): the status,
 * the body as text, and the body as JSON when it is JSON (else null).
 */
// `any`: each test reads the fields of the route it calls.
export async function staffRequest(origin: string, who: StaffKey, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; body: any }> {
  const headers = { ...(await staffHeaders(origin, who)), ...(body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(`${origin}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a CSV export): the text is there
  }
  return { status: res.status, text, body: json };
}

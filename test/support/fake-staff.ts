/**
 * Staff for the handoff tests, until the accounts module (issue 7) lands: a small authenticator
 * that maps bearer tokens to principals. Tests get their headers from `staffHeaders` only, so
 * switching them to real logins (POST /api/staff/login) is a change in this one file.
 */
import type { AuditSink, StaffAuthenticator, StaffPrincipal } from '../../src/staff/principal.js';

export const STAFF = {
  admin: { id: 's_admin', username: 'admin', displayName: '管理员', role: 'admin', departments: [] },
  police: { id: 's_police1', username: 'wang', displayName: '王警官', role: 'agent', departments: ['公安'] },
  police2: { id: 's_police2', username: 'li', displayName: '李警官', role: 'agent', departments: ['公安'] },
  hr: { id: 's_hr1', username: 'zhao', displayName: '赵老师', role: 'agent', departments: ['人社'] },
  general: { id: 's_general1', username: 'chen', displayName: '陈主任', role: 'agent', departments: ['综合', '人社'] },
} satisfies Record<string, StaffPrincipal>;

export type StaffKey = keyof typeof STAFF;

const TOKENS = new Map<string, StaffPrincipal>(Object.entries(STAFF).map(([k, p]) => [`test-token-${k}`, p]));

/** Accepts `Authorization: Bearer test-token-<key>` for the principals above; nobody else. */
export const fakeStaffAuthenticator: StaffAuthenticator = async (req) => {
  const m = /^Bearer (\S+)$/.exec(req.headers.get('authorization') ?? '');
  return (m && TOKENS.get(m[1])) || null;
};

/** Something that can send a request: an app (`app.request`) or a base URL of a running server. */
export type Target = string | { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/**
 * The headers a member of staff's requests carry. THE ONE PLACE tests get staff credentials:
 * with real accounts this logs in (POST /api/staff/login) and returns the bearer token.
 */
export async function staffHeaders(_target: Target, who: StaffKey): Promise<Record<string, string>> {
  return { authorization: `Bearer test-token-${who}` };
}

/** An audit sink that keeps entries in memory, for asserting that staff actions are audited. */
export function memoryAudit(): AuditSink & { entries: Array<{ actor: string; action: string; target?: string | null; details?: unknown }> } {
  const entries: Array<{ actor: string; action: string; target?: string | null; details?: unknown }> = [];
  return {
    entries,
    record: async (e) => {
      entries.push(e);
    },
  };
}

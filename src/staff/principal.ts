/**
 * Who a member of staff is, as every staff route sees it. The accounts module (src/staff/) turns a
 * bearer token or session cookie into a principal; capabilities such as handoff only consume it,
 * so they never depend on how accounts are stored or passwords checked.
 */
export type StaffRole = 'agent' | 'admin';

export interface StaffPrincipal {
  id: string;
  username: string;
  displayName: string | null;
  role: StaffRole;
  /** Departments an agent works for (公安, 人社 …); admins act on every department. */
  departments: string[];
}

/** Resolves the member of staff making a request, or null when it carries no valid credentials. */
export type StaffAuthenticator = (req: Request) => Promise<StaffPrincipal | null>;

/** Agents act only on their departments' conversations; admins on all. */
export function canActOn(p: StaffPrincipal, department: string | null | undefined): boolean {
  return p.role === 'admin' || (!!department && p.departments.includes(department));
}

/** Where staff actions are written (claim, reply, transfer, close, export, KB change, login). */
export interface AuditSink {
  record(entry: { actor: string; action: string; target?: string | null; details?: unknown; ip?: string | null }): Promise<void>;
}

import type { Kysely } from 'kysely';
import { maskDeep } from '../platform/pii.js';
import type { Database } from '../records/schema.js';
import type { AuditSink } from './principal.js';

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
}

export interface AuditQuery {
  actor?: string;
  /** Exact action, or a prefix ending in "." ("login." matches login.success, login.failure …). */
  action?: string;
  from?: number;
  to?: number;
  /** Entries older than this sequence number (paging backwards). */
  before?: number;
  limit?: number;
}

/**
 * The audit log in the record store. Details are masked before they are written, so the log can
 * be shown to admins and exported without exposing a citizen's ID number or phone.
 */
export class DbAuditSink implements AuditSink {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: { actor: string; action: string; target?: string | null; details?: unknown; ip?: string | null }): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: this.now(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        details: entry.details === undefined || entry.details === null ? null : JSON.stringify(maskDeep(entry.details)),
        ip: entry.ip ?? null,
      })
      .execute();
  }

  /** Newest first. */
  async query(q: AuditQuery = {}): Promise<AuditEntry[]> {
    let s = this.db.selectFrom('audit_log').selectAll();
    if (q.actor) s = s.where('actor', '=', q.actor);
    if (q.action) s = q.action.endsWith('.') ? s.where('action', 'like', `${q.action.replace(/[%_\\]/g, '')}%`) : s.where('action', '=', q.action);
    if (q.from !== undefined) s = s.where('at', '>=', q.from);
    if (q.to !== undefined) s = s.where('at', '<', q.to);
    if (q.before !== undefined) s = s.where('seq', '<', q.before);
    const rows = await s.orderBy('seq', 'desc').limit(Math.min(q.limit ?? 100, 1000)).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      target: r.target,
      details: r.details ? (JSON.parse(r.details) as unknown) : null,
      ip: r.ip,
    }));
  }
}

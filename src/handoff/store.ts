import type { Kysely } from 'kysely';
import { newId } from '../records/ids.js';
import type { Database, HandoffRow, HandoffsTable } from '../records/schema.js';
import type { HandoffSummary } from './queue.js';
import type { ConversationState, HandoffReason, HandoffStatus } from './state.js';

/** A handoff as the service works with it (handoffs row, JSON parsed, times as numbers). */
export interface HandoffRecord {
  id: string;
  conversationId: string;
  department: string;
  reason: HandoffReason;
  priority: number;
  summary: HandoffSummary;
  status: HandoffStatus;
  channel: string;
  requestedAt: number;
  queuedAt: number | null;
  claimedAt: number | null;
  claimedBy: string | null;
  escalatedAt: number | null;
  offeredAt: number | null;
  activityAt: number | null;
  closedAt: number | null;
  closedBy: string | null;
  leftMessage: string | null;
  callbackPhone: string | null;
  note: string | null;
}

const n = (v: number | string | null) => (v === null ? null : Number(v));

export function toRecord(r: HandoffRow): HandoffRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    department: r.department,
    reason: r.reason as HandoffReason,
    priority: Number(r.priority),
    summary: JSON.parse(r.summary) as HandoffSummary,
    status: r.status as HandoffStatus,
    channel: r.channel,
    requestedAt: Number(r.requested_at),
    queuedAt: n(r.queued_at),
    claimedAt: n(r.claimed_at),
    claimedBy: r.claimed_by,
    escalatedAt: n(r.escalated_at),
    offeredAt: n(r.offered_at),
    activityAt: n(r.activity_at),
    closedAt: n(r.closed_at),
    closedBy: r.closed_by,
    leftMessage: r.left_message,
    callbackPhone: r.callback_phone,
    note: r.note,
  };
}

export type HandoffPatch = Partial<Omit<HandoffsTable, 'id' | 'conversation_id' | 'summary'>> & { summary?: HandoffSummary };

function rowPatch(p: HandoffPatch): Partial<HandoffsTable> {
  const { summary, ...rest } = p;
  return { ...rest, ...(summary ? { summary: JSON.stringify(summary) } : {}) };
}

export interface NewHandoff {
  conversationId: string;
  department: string;
  reason: HandoffReason;
  priority: number;
  summary: HandoffSummary;
  status: HandoffStatus;
  channel: string;
  at: number;
  leftMessage?: string | null;
}

/** The conditional moves that keep conversations.status and the handoff in step, atomically. */
export interface Move {
  conversationId: string;
  handoffId: string;
  /** The conversation must be in one of these states, or nothing changes. */
  from: ConversationState[];
  to: ConversationState;
  conversation?: { department?: string; assigned_to?: string | null; closed_at?: number | null };
  /** The handoff must have one of these statuses, or nothing changes. */
  handoffFrom: HandoffStatus[];
  handoff: HandoffPatch;
}

/**
 * Handoffs in the record store. Every change of state is a conditional UPDATE inside a
 * transaction (`WHERE status IN (…)`), so of two simultaneous claims exactly one changes a row:
 * the database is the record of truth, whatever the queue says.
 */
export class HandoffStore {
  constructor(readonly db: Kysely<Database>) {}

  /**
   * Opens a handoff if the conversation is in one of `from` (bot or closed): the conversation
   * becomes "waiting" for `department`. Null when it is not (another request won).
   */
  async open(h: NewHandoff, from: ConversationState[]): Promise<HandoffRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('conversations')
        .set({ status: 'waiting', department: h.department, assigned_to: null, closed_at: null, updated_at: h.at })
        .where('id', '=', h.conversationId)
        .where('status', 'in', from)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return null;
      // Strictly after the conversation's previous handoff, so "the latest" is never a tie.
      const prev = await trx.selectFrom('handoffs').select(({ fn }) => fn.max('requested_at').as('at')).where('conversation_id', '=', h.conversationId).executeTakeFirst();
      const at = Math.max(h.at, Number(prev?.at ?? 0) + 1);
      const row: HandoffsTable = {
        id: newId('h'),
        conversation_id: h.conversationId,
        department: h.department,
        reason: h.reason,
        priority: h.priority,
        summary: JSON.stringify(h.summary),
        status: h.status,
        channel: h.channel,
        requested_at: at,
        claimed_at: null,
        claimed_by: null,
        closed_at: null,
        closed_by: null,
        left_message: h.leftMessage ?? null,
        callback_phone: null,
        note: null,
        queued_at: h.status === 'waiting' ? at : null,
        escalated_at: null,
        offered_at: null,
        activity_at: at,
      };
      await trx.insertInto('handoffs').values(row).execute();
      return toRecord(row);
    });
  }

  /** Moves conversation and handoff together; false (nothing changed) when either is not where expected. */
  async move(m: Move): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const now = Date.now();
        const c = await trx
          .updateTable('conversations')
          .set({ status: m.to, updated_at: now, ...(m.conversation ?? {}) })
          .where('id', '=', m.conversationId)
          .where('status', 'in', m.from)
          .executeTakeFirst();
        if (Number(c.numUpdatedRows) !== 1) return false;
        const h = await trx.updateTable('handoffs').set(rowPatch(m.handoff)).where('id', '=', m.handoffId).where('status', 'in', m.handoffFrom).executeTakeFirst();
        if (Number(h.numUpdatedRows) !== 1) throw new Rollback();
        return true;
      });
    } catch (e) {
      if (e instanceof Rollback) return false;
      throw e;
    }
  }

  /** Changes a handoff (only while its status is one of `onlyIf`, when given); true if a row changed. */
  async patch(id: string, patch: HandoffPatch, onlyIf?: HandoffStatus[]): Promise<boolean> {
    let q = this.db.updateTable('handoffs').set(rowPatch(patch)).where('id', '=', id);
    if (onlyIf) q = q.where('status', 'in', onlyIf);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get(id: string): Promise<HandoffRecord | undefined> {
    const r = await this.db.selectFrom('handoffs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  /** The conversation's latest handoff. */
  async current(conversationId: string): Promise<HandoffRecord | undefined> {
    const r = await this.db.selectFrom('handoffs').selectAll().where('conversation_id', '=', conversationId).orderBy('requested_at', 'desc').limit(1).executeTakeFirst();
    return r ? toRecord(r) : undefined;
  }

  async ofConversation(conversationId: string): Promise<HandoffRecord[]> {
    const rows = await this.db.selectFrom('handoffs').selectAll().where('conversation_id', '=', conversationId).orderBy('requested_at').execute();
    return rows.map(toRecord);
  }

  /** Handoffs with one of `statuses`, optionally of some departments, oldest first. */
  async list(statuses: HandoffStatus[], departments?: string[], limit = 100_000): Promise<HandoffRecord[]> {
    let q = this.db.selectFrom('handoffs').selectAll().where('status', 'in', statuses);
    if (departments) {
      if (!departments.length) return [];
      q = q.where('department', 'in', departments);
    }
    const rows = await q.orderBy('requested_at').limit(limit).execute();
    return rows.map(toRecord);
  }

  /** Left messages to call back, newest first. */
  async leftMessages(departments: string[] | undefined, limit: number): Promise<HandoffRecord[]> {
    let q = this.db.selectFrom('handoffs').selectAll().where('status', '=', 'left_message');
    if (departments) {
      if (!departments.length) return [];
      q = q.where('department', 'in', departments);
    }
    const rows = await q.orderBy('closed_at', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  /**
   * Recent handling in a department, for the estimated wait: how long staff held the last
   * conversations they closed, and how many different members of staff took one in the window.
   */
  async handling(department: string, since: number, limit = 20): Promise<{ durations: number[]; staff: number }> {
    const closed = await this.db
      .selectFrom('handoffs')
      .select(['claimed_at', 'closed_at'])
      .where('department', '=', department)
      .where('status', '=', 'closed')
      .where('claimed_at', 'is not', null)
      .where('closed_at', '>', since)
      .orderBy('closed_at', 'desc')
      .limit(limit)
      .execute();
    const staff = await this.db
      .selectFrom('handoffs')
      .select('claimed_by')
      .distinct()
      .where('department', '=', department)
      .where('claimed_at', '>', since)
      .where('claimed_by', 'is not', null)
      .execute();
    return {
      durations: closed.map((r) => Number(r.closed_at) - Number(r.claimed_at)).filter((d) => d > 0),
      staff: staff.length,
    };
  }
}

class Rollback extends Error {}

import type { Kysely } from 'kysely';
import { AppError, badRequest, conflict, forbidden, notFound } from '../platform/errors.js';
import type { Database } from '../records/schema.js';
import type { ConversationRecords } from '../records/store.js';
import { canActOn, type AuditSink, type StaffPrincipal } from '../staff/principal.js';
import { LEVEL_NAMES } from './levels.js';

export type FollowupStatus = 'open' | 'closed' | 'cancelled';
export type FollowupFilter = FollowupStatus | 'overdue' | 'all';

export interface FollowupView {
  id: string;
  conversationId: string;
  department: string | null;
  status: FollowupStatus;
  overdue: boolean;
  dueAt: number;
  createdAt: number;
  closedAt: number | null;
  level: number;
  levelName: string;
  /** The citizen's comment, as written (staff of the department need it to act). */
  comment: string | null;
  /** The reply that was rated and the question it answered, when known. */
  ratedReply: string | null;
  question: string | null;
  action: string | null;
  answer: string | null;
  handledBy: string | null;
}

const MAX_TEXT = 2000;

/**
 * 差评 follow-ups (GB/T 39734-2020: every poor rating is checked, acted on and answered). Staff
 * of the department record what was done and the answer to the citizen; an item closes only with
 * an answer, which is also posted into the citizen's conversation. Open items past their due
 * date are flagged overdue.
 */
export class Followups {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly records: ConversationRecords,
    private readonly audit: AuditSink,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  private base() {
    return this.db
      .selectFrom('followups')
      .innerJoin('ratings', 'ratings.id', 'followups.rating_id')
      .select([
        'followups.id as id',
        'followups.conversation_id as conversation_id',
        'followups.department as department',
        'followups.status as status',
        'followups.due_at as due_at',
        'followups.created_at as created_at',
        'followups.closed_at as closed_at',
        'followups.action as action',
        'followups.answer as answer',
        'followups.handled_by as handled_by',
        'ratings.level as level',
        'ratings.comment as comment',
        'ratings.message_id as message_id',
      ]);
  }

  /** The items a member of staff may see: their departments' (admins: all), newest due first. */
  async list(staff: StaffPrincipal, q: { status?: FollowupFilter; department?: string; limit?: number } = {}): Promise<FollowupView[]> {
    if (q.department && !canActOn(staff, q.department)) throw forbidden('您不能查看其他部门的差评回访');
    let s = this.base();
    if (q.department) s = s.where('followups.department', '=', q.department);
    else if (staff.role !== 'admin') s = s.where('followups.department', 'in', staff.departments.length ? staff.departments : ['']);
    const status = q.status ?? 'open';
    const now = this.now();
    if (status === 'overdue') s = s.where('followups.status', '=', 'open').where('followups.due_at', '<', now);
    else if (status !== 'all') s = s.where('followups.status', '=', status);
    const rows = await s.orderBy('followups.due_at').limit(Math.min(q.limit ?? 200, 1000)).execute();
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async get(staff: StaffPrincipal, id: string): Promise<FollowupView> {
    const r = await this.base().where('followups.id', '=', id).executeTakeFirst();
    if (!r) throw notFound('没有这条差评回访');
    if (!canActOn(staff, r.department)) throw forbidden('这条差评回访属于其他部门');
    return this.view(r);
  }

  /** Records what was done and/or the answer drafted; the item stays open. */
  async update(staff: StaffPrincipal, id: string, patch: { action?: string; answer?: string }, ip?: string | null): Promise<FollowupView> {
    const item = await this.get(staff, id);
    if (item.status !== 'open') throw conflict('这条差评回访已经办结，不能再修改');
    const action = this.clean(patch.action, '处理情况');
    const answer = this.clean(patch.answer, '答复');
    if (action === undefined && answer === undefined) throw badRequest('请填写处理情况（action）或给群众的答复（answer）');
    await this.db
      .updateTable('followups')
      .set({ ...(action !== undefined ? { action } : {}), ...(answer !== undefined ? { answer } : {}), handled_by: staff.username })
      .where('id', '=', id)
      .execute();
    await this.audit.record({ actor: staff.username, action: 'followup.update', target: id, ip, details: { conversationId: item.conversationId, action, answer } });
    return this.get(staff, id);
  }

  /** Closes the item: an answer to the citizen is required; it is posted into their conversation. */
  async close(staff: StaffPrincipal, id: string, patch: { action?: string; answer?: string }, ip?: string | null): Promise<FollowupView> {
    const item = await this.get(staff, id);
    if (item.status !== 'open') throw conflict('这条差评回访已经办结或已撤销');
    const action = this.clean(patch.action, '处理情况') ?? item.action;
    const answer = this.clean(patch.answer, '答复') ?? item.answer;
    if (!answer) throw new AppError(400, 'answer_required', '办结前请填写给群众的答复（answer）');
    const now = this.now();
    const closed = await this.db
      .updateTable('followups')
      .set({ status: 'closed', action, answer, handled_by: staff.username, closed_at: now })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 0) throw conflict('这条差评回访刚刚已被其他同事办结');
    await this.records.addMessage({ conversationId: item.conversationId, role: 'staff', author: staff.username, type: 'followup_answer', text: answer, at: now });
    await this.audit.record({ actor: staff.username, action: 'followup.close', target: id, ip, details: { conversationId: item.conversationId, action, answer } });
    return this.get(staff, id);
  }

  /** Open and overdue counts, for the dashboard and stats. */
  async counts(departments?: string[]): Promise<{ open: number; overdue: number }> {
    let s = this.db.selectFrom('followups').select(['due_at']).where('status', '=', 'open');
    if (departments) s = s.where('department', 'in', departments.length ? departments : ['']);
    const rows = await s.execute();
    const now = this.now();
    return { open: rows.length, overdue: rows.filter((r) => Number(r.due_at) < now).length };
  }

  private clean(v: string | undefined, what: string): string | undefined {
    if (v === undefined) return undefined;
    const t = v.trim();
    if (!t) throw badRequest(`${what}不能为空`);
    if ([...t].length > MAX_TEXT) throw badRequest(`${what}请不要超过 ${MAX_TEXT} 个字`);
    return t;
  }

  private async view(r: {
    id: string;
    conversation_id: string;
    department: string | null;
    status: string;
    due_at: number;
    created_at: number;
    closed_at: number | null;
    action: string | null;
    answer: string | null;
    handled_by: string | null;
    level: number;
    comment: string | null;
    message_id: string | null;
  }): Promise<FollowupView> {
    const { ratedReply, question } = await this.context(r.conversation_id, r.message_id);
    const status = r.status as FollowupStatus;
    return {
      id: r.id,
      conversationId: r.conversation_id,
      department: r.department,
      status,
      overdue: status === 'open' && Number(r.due_at) < this.now(),
      dueAt: Number(r.due_at),
      createdAt: Number(r.created_at),
      closedAt: r.closed_at === null ? null : Number(r.closed_at),
      level: Number(r.level),
      levelName: LEVEL_NAMES[Number(r.level)],
      comment: r.comment,
      ratedReply,
      question,
      action: r.action,
      answer: r.answer,
      handledBy: r.handled_by,
    };
  }

  /** The rated reply (or the last reply) and the citizen question just before it. */
  private async context(conversationId: string, messageId: string | null): Promise<{ ratedReply: string | null; question: string | null }> {
    let reply = messageId
      ? await this.db.selectFrom('messages').select(['seq', 'text']).where('id', '=', messageId).executeTakeFirst()
      : await this.db
          .selectFrom('messages')
          .select(['seq', 'text'])
          .where('conversation_id', '=', conversationId)
          .where('role', 'in', ['bot', 'staff'])
          .where((eb) => eb.or([eb('type', 'is', null), eb('type', '!=', 'followup_answer')]))
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
    reply ??= undefined;
    const q = reply
      ? await this.db
          .selectFrom('messages')
          .select('text')
          .where('conversation_id', '=', conversationId)
          .where('role', '=', 'citizen')
          .where('seq', '<', reply.seq)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst()
      : undefined;
    return { ratedReply: reply?.text ?? null, question: q?.text ?? null };
  }
}

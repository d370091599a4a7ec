import type { Kysely } from 'kysely';
import type { KnowledgeBase } from '../kb/load.js';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { departmentOf } from '../records/departments.js';
import { newId } from '../records/ids.js';
import type { Database, FollowupRow, RatingRow } from '../records/schema.js';
import type { ConversationRecords } from '../records/store.js';
import { LEVEL_NAMES, RATING_EDIT_WINDOW_MS, isPoor, type RatingLevel } from './levels.js';

export interface RatingInput {
  sessionId: string;
  messageId?: string | null;
  level: RatingLevel;
  comment?: string | null;
}

export interface RatingResult {
  rating: RatingRow;
  /** True when an earlier rating of the conversation was replaced. */
  replaced: boolean;
  followup: FollowupRow | null;
}

/** What else happens when a rating is given (the unanswered list learns from 差评). */
export interface RatingHooks {
  poor?(e: { conversationId: string; messageId: string | null; level: number; comment: string | null }): Promise<void>;
  /** A 差评 was changed to a good rating within the window. */
  withdrawn?(e: { conversationId: string }): Promise<void>;
}

export interface RatingsOptions {
  kb: () => KnowledgeBase;
  followupDueDays: number;
  now?: () => number;
  hooks?: RatingHooks;
  logger?: Logger;
}

export const MAX_COMMENT_CHARS = 500;

/**
 * 好差评: one rating per conversation; within 24 hours of the first one a new rating replaces it,
 * afterwards it is locked. A 差评 (1 or 2) opens a follow-up for the conversation's department,
 * due in FOLLOWUP_DUE_DAYS; the comment is kept as the citizen wrote it.
 */
export class Ratings {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly records: ConversationRecords,
    private readonly opts: RatingsOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async rate(input: RatingInput): Promise<RatingResult> {
    if (!Number.isInteger(input.level) || input.level < 1 || input.level > 5) throw badRequest('评价等级应为 1 到 5');
    const comment = input.comment?.trim() || null;
    if (comment && [...comment].length > MAX_COMMENT_CHARS) throw new AppError(413, 'comment_too_long', `评价内容请不要超过 ${MAX_COMMENT_CHARS} 个字`);
    const conversation = await this.records.conversationBySession(input.sessionId);
    if (!conversation) throw notFound('没有找到这次对话，请先咨询后再评价');
    let messageId: string | null = null;
    if (input.messageId) {
      const m = await this.db.selectFrom('messages').select(['id', 'role']).where('id', '=', input.messageId).where('conversation_id', '=', conversation.id).executeTakeFirst();
      if (!m) throw notFound('没有找到要评价的这条回复');
      if (m.role !== 'bot' && m.role !== 'staff') throw badRequest('只能评价助手或工作人员的回复');
      messageId = m.id;
    }
    const department = departmentOf(conversation, this.opts.kb());
    const now = this.now();

    const result = await this.retryOnce(() => this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('ratings').selectAll().where('conversation_id', '=', conversation.id).executeTakeFirst();
      let rating: RatingRow;
      if (existing) {
        if (now - Number(existing.created_at) > RATING_EDIT_WINDOW_MS) {
          throw new AppError(409, 'rating_locked', '这次服务已经评价过，评价提交 24 小时后不能再修改。感谢您的反馈！');
        }
        rating = { ...existing, level: input.level, comment, message_id: messageId ?? existing.message_id, department, updated_at: now };
        await trx.updateTable('ratings').set({ level: rating.level, comment, message_id: rating.message_id, department, updated_at: now }).where('id', '=', existing.id).execute();
      } else {
        rating = { id: newId('r'), conversation_id: conversation.id, message_id: messageId, level: input.level, comment, department, created_at: now, updated_at: now };
        await trx.insertInto('ratings').values(rating).execute();
      }

      let followup = (await trx.selectFrom('followups').selectAll().where('rating_id', '=', rating.id).executeTakeFirst()) ?? null;
      if (isPoor(rating.level)) {
        const due = now + this.opts.followupDueDays * 24 * 3600_000;
        if (!followup) {
          followup = { id: newId('f'), rating_id: rating.id, conversation_id: conversation.id, department, status: 'open', due_at: due, action: null, answer: null, handled_by: null, created_at: now, closed_at: null };
          await trx.insertInto('followups').values(followup).execute();
        } else if (followup.status === 'cancelled') {
          // Bad, then good, then bad again within the window: the same item is opened again.
          followup = { ...followup, status: 'open', due_at: due, department, closed_at: null };
          await trx.updateTable('followups').set({ status: 'open', due_at: due, department, closed_at: null }).where('id', '=', followup.id).execute();
        }
      } else if (followup && followup.status === 'open') {
        // The citizen changed a 差评 to a good rating: nothing is left to answer.
        followup = { ...followup, status: 'cancelled', closed_at: now };
        await trx.updateTable('followups').set({ status: 'cancelled', closed_at: now }).where('id', '=', followup.id).execute();
      }
      return { rating, replaced: !!existing, followup, wasPoor: existing ? isPoor(existing.level) : false };
    }));

    // The unanswered list is a side list: a failure there must not lose the citizen's rating.
    try {
      if (isPoor(result.rating.level)) await this.opts.hooks?.poor?.({ conversationId: conversation.id, messageId: result.rating.message_id, level: result.rating.level, comment: result.rating.comment });
      else if (result.wasPoor) await this.opts.hooks?.withdrawn?.({ conversationId: conversation.id });
    } catch (e) {
      this.opts.logger?.error({ err: e, conversationId: conversation.id }, 'rating hook failed');
    }
    return { rating: result.rating, replaced: result.replaced, followup: result.followup };
  }

  /** Two first ratings of one conversation at once: the loser's insert hits the unique key; run it again as a replacement. */
  private async retryOnce<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof AppError) throw e;
      return f();
    }
  }
}

export function ratingJson(r: RatingResult) {
  return {
    ratingId: r.rating.id,
    level: r.rating.level,
    levelName: LEVEL_NAMES[r.rating.level],
    comment: r.rating.comment,
    messageId: r.rating.message_id,
    replaced: r.replaced,
    createdAt: new Date(Number(r.rating.created_at)).toISOString(),
    updatedAt: new Date(Number(r.rating.updated_at)).toISOString(),
    /** Until when the rating can still be changed. */
    editableUntil: new Date(Number(r.rating.created_at) + RATING_EDIT_WINDOW_MS).toISOString(),
    followup: r.followup && r.followup.status !== 'cancelled' ? { id: r.followup.id, status: r.followup.status, dueAt: new Date(Number(r.followup.due_at)).toISOString() } : null,
  };
}

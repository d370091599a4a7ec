import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { AppError } from '../platform/errors.js';
import { ConversationRecords } from '../records/store.js';
import { DbAuditSink } from '../staff/audit.js';
import type { StaffPrincipal } from '../staff/principal.js';
import { Followups } from './followups.js';
import { LEVEL_NAMES } from './levels.js';
import { Ratings, ratingJson, type RatingHooks } from './ratings.js';

const kb = loadKnowledgeBase(['knowledge']);
const HOUR = 3600_000;

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const agent = (departments: string[], username = 'agent'): StaffPrincipal => ({ id: `s_${username}`, username, displayName: null, role: 'agent', departments });
const admin: StaffPrincipal = { id: 's_admin', username: 'admin', displayName: null, role: 'admin', departments: [] };

describe.each(DIALECTS)('好差评 ratings and follow-ups on %s', (dialect) => {
  let t: TestDatabase;
  let records: ConversationRecords;
  let ratings: Ratings;
  let followups: Followups;
  let clock = Date.UTC(2026, 10, 10, 2, 0, 0);
  const now = () => clock;
  const hookCalls: string[] = [];
  const hooks: RatingHooks = {
    poor: async (e) => void hookCalls.push(`poor:${e.conversationId}:${e.level}`),
    withdrawn: async (e) => void hookCalls.push(`withdrawn:${e.conversationId}`),
  };

  /** A conversation with one question and one bot answer; returns its session id and messages. */
  async function conversation(opts: { department?: string; guideId?: string } = {}) {
    const sessionId = `sess-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const c = await records.openConversation(sessionId, 'web');
    await records.updateConversation(c.id, { department: opts.department ?? null, guide_id: opts.guideId ?? null });
    const q = await records.addMessage({ conversationId: c.id, role: 'citizen', text: '身份证丢了怎么补办' });
    const a = await records.addMessage({ conversationId: c.id, role: 'bot', type: 'answer', text: '补领身份证需要……', evidence: { guideId: opts.guideId ?? null } });
    return { sessionId, conversationId: c.id, question: q, answer: a };
  }

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    records = new ConversationRecords(t.db, t.dialect);
    ratings = new Ratings(t.db, records, { kb: () => kb, followupDueDays: 7, now, hooks });
    followups = new Followups(t.db, records, new DbAuditSink(t.db, now), now);
  });
  afterAll(async () => t?.dispose());

  it('names the five national levels', () => {
    expect([5, 4, 3, 2, 1].map((l) => LEVEL_NAMES[l])).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
  });

  it('keeps one rating per conversation: a new one within 24 h replaces it, after that it is locked', async () => {
    const c = await conversation({ guideId: 'id-card-replacement' });
    const first = await ratings.rate({ sessionId: c.sessionId, level: 4, comment: '还可以' });
    expect(first.replaced).toBe(false);
    expect(ratingJson(first)).toMatchObject({ level: 4, levelName: '满意', comment: '还可以', followup: null, editableUntil: new Date(clock + 24 * HOUR).toISOString() });
    clock += 23 * HOUR;
    const second = await ratings.rate({ sessionId: c.sessionId, level: 5, messageId: c.answer.id });
    expect(second.replaced).toBe(true);
    expect(second.rating.id).toBe(first.rating.id);
    expect(second.rating).toMatchObject({ level: 5, comment: null, message_id: c.answer.id });
    const rows = await t.db.selectFrom('ratings').selectAll().where('conversation_id', '=', c.conversationId).execute();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].level)).toBe(5);
    clock += HOUR + 1;
    const locked = await rejects(ratings.rate({ sessionId: c.sessionId, level: 1 }));
    expect([locked.status, locked.code]).toEqual([409, 'rating_locked']);
    expect(locked.message).toMatch(/24 小时/);
    expect(Number((await t.db.selectFrom('ratings').select('level').where('conversation_id', '=', c.conversationId).executeTakeFirstOrThrow()).level)).toBe(5);
  });

  it('refuses unknown sessions, messages of other conversations, citizen messages and bad levels', async () => {
    const a = await conversation();
    const b = await conversation();
    expect((await rejects(ratings.rate({ sessionId: 'no-such-session-id-123', level: 5 }))).status).toBe(404);
    expect((await rejects(ratings.rate({ sessionId: a.sessionId, level: 5, messageId: b.answer.id }))).status).toBe(404);
    expect((await rejects(ratings.rate({ sessionId: a.sessionId, level: 5, messageId: a.question.id }))).status).toBe(400);
    expect((await rejects(ratings.rate({ sessionId: a.sessionId, level: 6 as 5 }))).status).toBe(400);
    expect((await rejects(ratings.rate({ sessionId: a.sessionId, level: 3, comment: '很'.repeat(501) }))).status).toBe(413);
  });

  it('stores the comment as written, personal data included (masking is for exports and analytics)', async () => {
    const c = await conversation();
    await ratings.rate({ sessionId: c.sessionId, level: 3, comment: '请回电 13812345678' });
    const row = await t.db.selectFrom('ratings').select('comment').where('conversation_id', '=', c.conversationId).executeTakeFirstOrThrow();
    expect(row.comment).toBe('请回电 13812345678');
  });

  it('a 差评 opens a follow-up for the conversation’s department (else its guide’s, else 综合), due in 7 days', async () => {
    const own = await conversation({ department: '人社', guideId: 'id-card-replacement' });
    const byGuide = await conversation({ guideId: 'id-card-replacement' });
    const none = await conversation();
    const r1 = await ratings.rate({ sessionId: own.sessionId, level: 2, comment: '没说清楚' });
    const r2 = await ratings.rate({ sessionId: byGuide.sessionId, level: 1 });
    const r3 = await ratings.rate({ sessionId: none.sessionId, level: 2 });
    expect([r1.followup?.department, r2.followup?.department, r3.followup?.department]).toEqual(['人社', '公安', '综合']);
    expect(Number(r1.followup!.due_at)).toBe(clock + 7 * 24 * HOUR);
    expect(r1.followup!.status).toBe('open');
    expect(r1.rating.department).toBe('人社');
    expect(hookCalls).toContain(`poor:${own.conversationId}:2`);
    // A second 差评 within the window keeps the one follow-up.
    const again = await ratings.rate({ sessionId: own.sessionId, level: 1 });
    expect(again.followup!.id).toBe(r1.followup!.id);
    expect(await t.db.selectFrom('followups').select('id').where('conversation_id', '=', own.conversationId).execute()).toHaveLength(1);
  });

  it('changing a 差评 to a good rating within 24 h withdraws the follow-up; a new 差评 opens it again', async () => {
    const c = await conversation({ department: '民政' });
    const bad = await ratings.rate({ sessionId: c.sessionId, level: 1 });
    const good = await ratings.rate({ sessionId: c.sessionId, level: 4 });
    expect(good.followup!.status).toBe('cancelled');
    expect(ratingJson(good).followup).toBeNull();
    expect(hookCalls).toContain(`withdrawn:${c.conversationId}`);
    const badAgain = await ratings.rate({ sessionId: c.sessionId, level: 2 });
    expect(badAgain.followup).toMatchObject({ id: bad.followup!.id, status: 'open' });
  });

  it('follow-up lifecycle: listed for the department’s staff only, progress recorded, closed only with an answer that reaches the citizen', async () => {
    const c = await conversation({ department: '医保' });
    const { followup } = await ratings.rate({ sessionId: c.sessionId, messageId: c.answer.id, level: 1, comment: '答非所问' });
    const mine = agent(['医保'], 'li');
    const other = agent(['公安'], 'wang');

    const listed = await followups.list(mine);
    expect(listed.map((f) => f.id)).toContain(followup!.id);
    const item = listed.find((f) => f.id === followup!.id)!;
    expect(item).toMatchObject({ department: '医保', level: 1, levelName: '非常不满意', comment: '答非所问', ratedReply: '补领身份证需要……', question: '身份证丢了怎么补办', overdue: false, status: 'open' });
    expect((await followups.list(other)).map((f) => f.id)).not.toContain(followup!.id);
    expect((await rejects(followups.list(other, { department: '医保' }))).status).toBe(403);
    expect((await rejects(followups.get(other, followup!.id))).status).toBe(403);
    expect((await rejects(followups.update(other, followup!.id, { action: 'x' }))).status).toBe(403);
    expect((await followups.list(admin, { department: '医保' })).map((f) => f.id)).toContain(followup!.id);

    // Without an answer it cannot close.
    const noAnswer = await rejects(followups.close(mine, followup!.id, { action: '已核实' }));
    expect([noAnswer.status, noAnswer.code]).toEqual([400, 'answer_required']);
    expect((await rejects(followups.update(mine, followup!.id, {}))).status).toBe(400);
    const progressed = await followups.update(mine, followup!.id, { action: '已核实：指南中缺少异地补领的说明，已提交补充' });
    expect(progressed).toMatchObject({ status: 'open', action: '已核实：指南中缺少异地补领的说明，已提交补充', handledBy: 'li' });

    // Overdue once the due date passes.
    clock += 7 * 24 * HOUR + 1;
    expect((await followups.get(mine, followup!.id)).overdue).toBe(true);
    expect((await followups.list(mine, { status: 'overdue' })).map((f) => f.id)).toContain(followup!.id);
    expect((await followups.counts(['医保'])).overdue).toBeGreaterThanOrEqual(1);

    const closed = await followups.close(mine, followup!.id, { answer: '您好，异地也可以补领身份证，请带户口簿到任一派出所办理。' });
    expect(closed).toMatchObject({ status: 'closed', overdue: false, answer: '您好，异地也可以补领身份证，请带户口簿到任一派出所办理。', handledBy: 'li', closedAt: clock });
    const msgs = await records.listMessages(c.conversationId);
    expect(msgs.at(-1)).toMatchObject({ role: 'staff', author: 'li', type: 'followup_answer', text: closed.answer });
    expect((await rejects(followups.close(mine, followup!.id, { answer: '再答一次' }))).status).toBe(409);
    expect((await followups.list(mine, { status: 'closed' })).map((f) => f.id)).toContain(followup!.id);
    expect((await followups.list(mine)).map((f) => f.id)).not.toContain(followup!.id);

    const audit = await new DbAuditSink(t.db).query({ actor: 'li' });
    expect(audit.map((e) => e.action).sort()).toEqual(['followup.close', 'followup.update']);
  });
});

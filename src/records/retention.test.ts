import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { at, seedRecords } from '../../test/support/seed.js';
import { purgeExpired } from './retention.js';

const DAY = 24 * 3600_000;

describe.each(DIALECTS)('retention purge on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    await seedRecords(t.db);
    // A draft, unanswered rows and audit entries, old and new.
    await t.db.insertInto('form_drafts').values({ id: 'd1', conversation_id: 'c1', form_id: 'f', guide_id: null, data: '{}', status: 'open', created_at: at('11-01 09:00'), updated_at: at('11-01 09:00'), confirmed_at: null }).execute();
    await t.db
      .insertInto('unanswered')
      .values([
        { id: 'u-old', conversation_id: null, message_id: null, question: '老问题', normalized: '老', reason: 'no_answer', guide_id: null, created_at: at('11-01 10:00') },
        { id: 'u-new', conversation_id: null, message_id: null, question: '新问题', normalized: '新', reason: 'no_answer', guide_id: null, created_at: at('11-03 10:00') },
      ])
      .execute();
    await t.db
      .insertInto('audit_log')
      .values([
        { at: at('11-01 08:00'), actor: 'a', action: 'login.success', target: null, details: null, ip: null },
        { at: at('11-03 08:00'), actor: 'a', action: 'login.success', target: null, details: null, ip: null },
      ])
      .execute();
  });
  afterAll(async () => t?.dispose());

  const count = async (table: 'conversations' | 'messages' | 'ratings' | 'handoffs' | 'followups' | 'form_drafts' | 'unanswered' | 'audit_log') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('deletes conversations last active before the cutoff with everything that hangs on them, and old unanswered and audit rows', async () => {
    // Cutoff 2 November 12:00 (China time): c6, c1, c2 and c3 are older; c4, c5, c7 are newer.
    const now = at('11-02 12:00') + 30 * DAY;
    const r = await purgeExpired(t.db, 30, { now });
    expect(r.cutoff).toBe(at('11-02 12:00'));
    // c2 and c3 stay: their 差评 follow-ups are still open.
    expect(r.conversations).toBe(2);
    const left = (await t.db.selectFrom('conversations').select('id').orderBy('id').execute()).map((c) => c.id);
    expect(left).toEqual(['c2', 'c3', 'c4', 'c5', 'c7']);
    expect(r.messages).toBe(2 + 4);
    expect(await t.db.selectFrom('messages').select('id').where('conversation_id', 'in', ['c1', 'c6']).execute()).toEqual([]);
    expect(await t.db.selectFrom('ratings').select('conversation_id').where('conversation_id', 'in', ['c1', 'c6']).execute()).toEqual([]);
    expect(await count('ratings')).toBe(3);
    expect(await count('form_drafts')).toBe(0);
    expect(await count('handoffs')).toBe(2);
    expect(r.unanswered).toBe(1);
    expect((await t.db.selectFrom('unanswered').select('id').execute()).map((u) => u.id)).toEqual(['u-new']);
    expect(r.audit).toBe(1);
    expect(await count('audit_log')).toBe(1);
  });

  it('once the follow-ups are answered those conversations go too, with their handoffs; a second run finds nothing more', async () => {
    await t.db.updateTable('followups').set({ status: 'closed', answer: '已答复', closed_at: at('11-02 09:00') }).where('conversation_id', 'in', ['c2', 'c3']).execute();
    const now = at('11-02 12:00') + 30 * DAY;
    const r = await purgeExpired(t.db, 30, { now });
    expect(r.conversations).toBe(2);
    expect(await count('followups')).toBe(0);
    expect(await t.db.selectFrom('handoffs').select('id').where('conversation_id', '=', 'c3').execute()).toEqual([]);
    expect((await purgeExpired(t.db, 30, { now })).conversations).toBe(0);
    expect(await count('conversations')).toBe(3);
  });

  it('refuses a retention of less than a day', async () => {
    await expect(purgeExpired(t.db, 0)).rejects.toThrow(/at least one day/);
  });
});

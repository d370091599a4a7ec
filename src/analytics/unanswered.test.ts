import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { sharedLibrary } from '../../test/support/library.js';
import { at, seedRecords } from '../../test/support/seed.js';
import type { Library } from '../search/library.js';
import { ALL_DEPARTMENTS } from './scope.js';
import { UnansweredQuestions } from './unanswered.js';

describe.each(DIALECTS)('unanswered questions on %s', (dialect) => {
  let t: TestDatabase;
  let library: Library;
  let u: UnansweredQuestions;
  let clock = at('11-05 09:00');

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    library = await sharedLibrary();
    await seedRecords(t.db);
    u = new UnansweredQuestions(t.db, { index: () => library.current, now: () => clock });
  });
  afterAll(async () => t?.dispose());

  it('stores the question masked, with its normalised form', async () => {
    await u.record({ conversationId: 'c2', messageId: 'c2-m2', question: '我身份证号440102199001011234，怎么申请专利', reason: 'no_answer' });
    const row = await t.db.selectFrom('unanswered').selectAll().where('message_id', '=', 'c2-m2').executeTakeFirstOrThrow();
    expect(row.question).toBe('我身份证号4401**********1234，怎么申请专利');
    expect(row.normalized).toContain('专利');
    expect(row.normalized).not.toMatch(/\d{4}/);
    expect(row.reason).toBe('no_answer');
  });

  it('normalises a question once per index: asked again, the form comes from memory; a new index tokenizes anew', () => {
    const idx = library.current;
    let calls = 0;
    const counting = (): typeof idx => {
      const tokenizer = Object.assign(Object.create(idx.tokenizer) as typeof idx.tokenizer, { tokenize: (s: string) => (calls++, idx.tokenizer.tokenize(s)) });
      return Object.assign(Object.create(idx) as typeof idx, { tokenizer });
    };
    let current = counting();
    const n = new UnansweredQuestions(t.db, { index: () => current });
    const form = n.normalize('怎么申请专利');
    expect(n.normalize('怎么申请专利')).toBe(form);
    expect(calls).toBe(1);
    current = counting();
    expect(n.normalize('怎么申请专利')).toBe(form);
    expect(calls).toBe(2);
  });

  it('a 差评 puts the rated answer’s question in the list once, and withdrawing the 差评 takes it out', async () => {
    expect(await u.recordLowRating('c1', 'c1-m2')).toBe(true);
    expect(await u.recordLowRating('c1', 'c1-m2')).toBe(false);
    const rows = await t.db.selectFrom('unanswered').selectAll().where('conversation_id', '=', 'c1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ question: '身份证丢了怎么补办', reason: 'low_rating', guide_id: 'id-card-replacement', message_id: 'c1-m2' });
    // Without a message id: the conversation's last answer, and the question just before it.
    expect(await u.recordLowRating('c1', null)).toBe(true);
    expect((await t.db.selectFrom('unanswered').select('question').where('message_id', '=', 'c1-m4').executeTakeFirstOrThrow()).question).toBe('要多少钱');
    await u.withdrawLowRating('c1');
    expect(await t.db.selectFrom('unanswered').select('id').where('conversation_id', '=', 'c1').execute()).toEqual([]);
    expect(await u.recordLowRating('c5', null)).toBe(false); // no answer to rate
  });

  it('lists groups of similar questions with counts, samples, first and last seen and the closest guide', async () => {
    const ask = async (q: string, conv: string, when: string, reason: 'no_answer' | 'low_rating' = 'no_answer', guideId: string | null = null) => {
      clock = at(when);
      await u.record({ conversationId: conv, messageId: null, question: q, reason, guideId });
    };
    await ask('工伤认定怎么申请', 'c3', '11-05 10:00');
    await ask('工伤认定要什么材料', 'c3', '11-05 11:00', 'low_rating', 'retirement');
    await ask('工伤认定怎么申请', 'c7', '11-06 12:00');
    await ask('工伤认定需要多长时间', 'c7', '11-06 13:00');
    await ask('第一次考驾照怎么报名', 'c5', '11-06 14:00');
    await ask('考驾照在哪里报名', 'c5', '11-07 09:00');
    await ask('明天会下雨吗', 'c5', '11-07 10:00');

    const groups = await u.groups({ from: at('11-05 00:00'), to: at('11-08 00:00'), scope: ALL_DEPARTMENTS });
    const [first, second] = groups;
    expect(first).toMatchObject({
      count: 4,
      conversations: 2,
      firstSeen: at('11-05 10:00'),
      lastSeen: at('11-06 13:00'),
      reasons: { no_answer: 3, low_rating: 1 },
      closestGuide: { id: 'retirement', department: '人社' },
    });
    expect(first.samples[0]).toBe('工伤认定怎么申请'); // the most frequent wording first
    expect(new Set(first.samples)).toEqual(new Set(['工伤认定怎么申请', '工伤认定要什么材料', '工伤认定需要多长时间']));
    expect(first.terms).toEqual(expect.arrayContaining(['工伤', '认定']));
    expect(second).toMatchObject({ count: 2, conversations: 1 });
    expect(second.samples.every((s) => s.includes('驾照'))).toBe(true);
    // No stored guide: the closest guide comes from a search (whatever it is, it is a real guide).
    if (second.closestGuide) expect(library.kb.byId.has(second.closestGuide.id)).toBe(true);
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(8); // with the 专利 question of the first test

    // The period and the department narrow the list (c2 and c5 have no guide: 综合).
    const zh = await u.groups({ from: at('11-05 00:00'), to: at('11-08 00:00'), scope: { departments: ['综合'] } });
    expect(zh.reduce((s, g) => s + g.count, 0)).toBe(4);
    const rs = await u.groups({ from: at('11-05 00:00'), to: at('11-08 00:00'), scope: { departments: ['人社'] } });
    expect(rs.map((g) => g.count)).toEqual([4]);
    expect(await u.groups({ from: at('11-07 00:00'), to: at('11-08 00:00'), scope: ALL_DEPARTMENTS })).toHaveLength(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { sharedLibrary } from '../../test/support/library.js';
import { at, seedRecords } from '../../test/support/seed.js';
import type { Library } from '../search/library.js';
import { ALL_DEPARTMENTS } from './scope.js';
import { Analytics, median } from './stats.js';
import { UnansweredQuestions } from './unanswered.js';

describe('median', () => {
  it('is the middle value, or the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([600, 1800])).toBe(1200);
  });
});

describe.each(DIALECTS)('analytics on %s, from a seeded set with known answers', (dialect) => {
  let t: TestDatabase;
  let library: Library;
  let analytics: Analytics;
  let clock = 0;
  const period = { from: at('11-01 00:00'), to: at('11-04 00:00') };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    library = await sharedLibrary();
    await seedRecords(t.db);
    const unanswered = new UnansweredQuestions(t.db, { index: () => library.current, now: () => clock });
    clock = at('11-01 10:00');
    await unanswered.record({ conversationId: 'c2', messageId: 'c2-m2', question: '怎么申请专利，我电话13812345678', reason: 'no_answer' });
    clock = at('11-03 08:01');
    await unanswered.record({ conversationId: 'c5', messageId: 'c5-m4', question: '第一次考驾照怎么报名', reason: 'no_answer' });
    clock = at('11-02 11:20');
    expect(await unanswered.recordLowRating('c3', null)).toBe(true);
    analytics = new Analytics(t.db, t.dialect, { kb: () => library.kb, unanswered, now: () => at('11-09 10:01') });
  });
  afterAll(async () => t?.dispose());

  it('answers the whole period for every department', async () => {
    const s = await analytics.stats({ ...period, scope: ALL_DEPARTMENTS });
    expect(s).toMatchObject({
      departments: null,
      conversations: 6, // c1–c5 and c7; c6 began on 31 October (China time)
      messages: 20,
      citizenMessages: 10,
      asked: 7, // answers and no_answers; the clarification and the refusal count in neither
      answered: 5,
      answerRate: 0.7143,
      handoffs: 2,
      handoffRate: 0.3333,
      medianWaitSeconds: 240, // 120 s and 360 s
      medianHandlingSeconds: 1200, // 600 s and 1800 s
      ratings: { '1': 1, '2': 1, '3': 0, '4': 1, '5': 1 },
      ratingCount: 4,
      satisfaction: 0.5,
      averageLevel: 3,
      followups: { open: 2, overdue: 1, opened: 2, closed: 0 },
    });
    expect(s.topServices).toEqual([
      { guideId: 'id-card-replacement', title: expect.any(String), department: '公安', answers: 2 },
      { guideId: 'retirement', title: expect.any(String), department: '人社', answers: 2 },
      { guideId: 'id-card-renewal', title: expect.any(String), department: '公安', answers: 1 },
    ]);
    expect(s.byDay).toEqual([
      { date: '2026-11-01', conversations: 2, messages: 6, asked: 3, answered: 2, handoffs: 0, ratings: 2, poorRatings: 1 },
      { date: '2026-11-02', conversations: 2, messages: 8, asked: 2, answered: 2, handoffs: 2, ratings: 2, poorRatings: 1 },
      { date: '2026-11-03', conversations: 2, messages: 6, asked: 2, answered: 1, handoffs: 0, ratings: 0, poorRatings: 0 },
    ]);
    expect(s.topUnanswered).toHaveLength(3);
    expect(s.topUnanswered.map((u) => u.count)).toEqual([1, 1, 1]);
    expect(s.topUnanswered.map((u) => u.sample).sort()).toEqual(['怎么申请专利，我电话138****5678', '第一次考驾照怎么报名', '退休手续怎么办'].sort());
  });

  it('narrows every figure to one department (its own, else its guide’s, else 综合)', async () => {
    const ga = await analytics.stats({ ...period, scope: { departments: ['公安'] } });
    expect(ga).toMatchObject({
      conversations: 2, // c1 and c4, by their guides
      messages: 8,
      asked: 3,
      answered: 3,
      answerRate: 1,
      handoffs: 1,
      handoffRate: 0.5,
      medianWaitSeconds: 360,
      medianHandlingSeconds: 1800,
      ratings: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 1 },
      satisfaction: 1,
      followups: { open: 0, overdue: 0, opened: 0, closed: 0 },
    });
    expect(ga.topServices.map((x) => x.guideId)).toEqual(['id-card-replacement', 'id-card-renewal']);
    expect(ga.topUnanswered).toEqual([]);

    const rs = await analytics.stats({ ...period, scope: { departments: ['人社'] } });
    expect(rs).toMatchObject({ conversations: 2, asked: 2, answered: 2, handoffs: 1, ratings: { '2': 1 }, satisfaction: 0, followups: { open: 1, overdue: 0 } });
    expect(rs.topUnanswered.map((u) => u.sample)).toEqual(['退休手续怎么办']);

    const zh = await analytics.stats({ ...period, scope: { departments: ['综合'] } });
    expect(zh).toMatchObject({ conversations: 2, asked: 2, answered: 0, answerRate: 0, handoffRate: 0, medianWaitSeconds: null, ratings: { '1': 1 }, followups: { open: 1, overdue: 1 } });

    const two = await analytics.stats({ ...period, scope: { departments: ['公安', '人社'] } });
    expect(two.conversations).toBe(4);
  });

  it('counts by local day and shows days with nothing as zeros', async () => {
    const s = await analytics.stats({ from: at('10-31 00:00'), to: at('11-06 00:00'), scope: ALL_DEPARTMENTS });
    expect(s.byDay.map((d) => d.date)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
    expect(s.byDay[0]).toMatchObject({ conversations: 1, ratings: 1 });
    expect(s.byDay.at(-1)).toMatchObject({ conversations: 0, messages: 0 });
    expect(s.conversations).toBe(7);
    expect(s.ratings['3']).toBe(1);
    const empty = await analytics.stats({ from: at('12-01 00:00'), to: at('12-02 00:00'), scope: ALL_DEPARTMENTS });
    expect(empty).toMatchObject({ conversations: 0, answerRate: null, handoffRate: null, satisfaction: null, averageLevel: null });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, testApp, type TestApp } from '../../test/support/app.js';
import { ratingFromText } from './levels.js';

describe('好差评 in words', () => {
  it.each([
    ['满意', 4, null],
    ['非常满意！', 5, null],
    ['基本满意', 3, null],
    ['不满意，排队太久了', 2, '排队太久了'],
    ['非常不满意：材料说得不清楚', 1, '材料说得不清楚'],
  ])('reads %s as level %i', (text, level, comment) => {
    expect(ratingFromText(text)).toEqual({ level, comment });
  });

  it('reads nothing else as a rating', () => {
    for (const t of ['我对结果很满意吗', '身份证怎么办', '满', '']) expect(ratingFromText(t)).toBeNull();
  });
});

describe('rating by reply in the conversation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.dispose());
  const chat = async (message: string, sessionId?: string) => (await (await postJson(t.app, '/api/chat', { message, sessionId })).json()) as { sessionId: string; type: string; text: string; suggestions: string[] };

  it('records the level named after the prompt, and opens a follow-up for a 差评', async () => {
    const a = await chat('失业金怎么领');
    const thanks = await chat('谢谢', a.sessionId);
    expect(thanks.text).toContain('评价');
    expect(thanks.suggestions).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    // "4" picks 不满意 from the suggestions, as WeChat's 回复 1/2/3 choices do.
    const rated = await chat('4', a.sessionId);
    expect(rated.text).toMatch(/感谢您的评价（不满意）.*人社/);
    const conv = (await t.services.records.conversationBySession(a.sessionId))!;
    const row = await t.services.database.db.selectFrom('ratings').selectAll().where('conversation_id', '=', conv.id).executeTakeFirst();
    expect(row?.level).toBe(2);
    const f = await t.services.database.db.selectFrom('followups').selectAll().where('conversation_id', '=', conv.id).executeTakeFirst();
    expect(f?.status).toBe('open');
  });

  it('does not take a level name as a rating when none was asked for', async () => {
    const a = await chat('满意');
    const conv = (await t.services.records.conversationBySession(a.sessionId))!;
    expect(await t.services.database.db.selectFrom('ratings').selectAll().where('conversation_id', '=', conv.id).executeTakeFirst()).toBeUndefined();
  });
});

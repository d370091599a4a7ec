import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRecords } from '../records/store.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { HandoffStore, type NewHandoff } from './store.js';

const summary = { text: 's', questions: ['身份证丢了'], guideId: 'id-card-replacement', guideTitle: '居民身份证补领', formDraftId: null, priorityReasons: [] };

describe.each(DIALECTS)('handoff store on %s', (dialect) => {
  let db: TestDatabase;
  let records: ConversationRecords;
  let store: HandoffStore;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    records = new ConversationRecords(db.db, db.dialect);
    store = new HandoffStore(db.db);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  const conversation = async () => records.openConversation(`session-${Math.random().toString(36).slice(2)}-abcdefgh`, 'web');
  const newHandoff = (conversationId: string, at = Date.now()): NewHandoff => ({ conversationId, department: '公安', reason: 'handoff', priority: 0, summary, status: 'waiting', channel: 'web', at });

  it('opens a handoff only from bot or closed, moving the conversation to waiting', async () => {
    const c = await conversation();
    const h = await store.open(newHandoff(c.id), ['bot', 'closed']);
    expect(h).toMatchObject({ conversationId: c.id, status: 'waiting', department: '公安', summary });
    expect(h!.queuedAt).toBe(h!.requestedAt);
    expect((await records.getConversation(c.id))).toMatchObject({ status: 'waiting', department: '公安' });
    expect(await store.open(newHandoff(c.id), ['bot', 'closed'])).toBeNull();
    expect(await store.ofConversation(c.id)).toHaveLength(1);
  });

  it('keeps the latest handoff the current one even within one millisecond', async () => {
    const c = await conversation();
    const at = Date.now();
    const first = await store.open(newHandoff(c.id, at), ['bot']);
    await records.updateConversation(c.id, { status: 'closed' });
    const second = await store.open(newHandoff(c.id, at), ['closed']);
    expect(second!.requestedAt).toBeGreaterThan(first!.requestedAt);
    expect((await store.current(c.id))!.id).toBe(second!.id);
  });

  it('lets exactly one of many simultaneous claims move the conversation', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await conversation();
      const h = (await store.open(newHandoff(c.id), ['bot']))!;
      const claims = ['s1', 's2', 's3', 's4', 's5', 's6'].map((who) =>
        store.move({
          conversationId: c.id,
          handoffId: h.id,
          from: ['waiting'],
          to: 'staff',
          conversation: { assigned_to: who },
          handoffFrom: ['waiting'],
          handoff: { status: 'staff', claimed_by: who, claimed_at: Date.now() },
        }),
      );
      const won = await Promise.all(claims);
      expect(won.filter(Boolean)).toHaveLength(1);
      const conv = await records.getConversation(c.id);
      const row = await store.get(h.id);
      expect(conv!.status).toBe('staff');
      expect(row!.claimedBy).toBe(conv!.assigned_to);
    }
  });

  it('changes nothing when the handoff is not where expected (both rows or neither)', async () => {
    const c = await conversation();
    const h = (await store.open(newHandoff(c.id), ['bot']))!;
    const ok = await store.move({ conversationId: c.id, handoffId: h.id, from: ['waiting'], to: 'staff', handoffFrom: ['message'], handoff: { status: 'staff' } });
    expect(ok).toBe(false);
    expect((await records.getConversation(c.id))!.status).toBe('waiting');
    expect((await store.get(h.id))!.status).toBe('waiting');
  });

  it('patches conditionally and lists by status and department', async () => {
    const c = await conversation();
    const h = (await store.open({ ...newHandoff(c.id), department: '民政' }, ['bot']))!;
    expect(await store.patch(h.id, { escalated_at: 5 }, ['staff'])).toBe(false);
    expect(await store.patch(h.id, { escalated_at: 5, priority: 2 }, ['waiting'])).toBe(true);
    expect(await store.get(h.id)).toMatchObject({ escalatedAt: 5, priority: 2 });
    const listed = await store.list(['waiting'], ['民政']);
    expect(listed.map((x) => x.id)).toContain(h.id);
    expect(await store.list(['waiting'], [])).toEqual([]);
  });

  it('measures recent handling: durations of closed handoffs and how many staff took them', async () => {
    const since = Date.now() - 3600_000;
    for (const [who, minutes] of [
      ['a', 2],
      ['b', 4],
      ['a', 6],
    ] as const) {
      const c = await conversation();
      const h = (await store.open({ ...newHandoff(c.id), department: '医保' }, ['bot']))!;
      const t = Date.now();
      await store.patch(h.id, { status: 'closed', claimed_by: who, claimed_at: t - minutes * 60_000, closed_at: t });
    }
    const r = await store.handling('医保', since);
    expect(r.durations.sort((x, y) => x - y)).toEqual([120_000, 240_000, 360_000]);
    expect(r.staff).toBe(2);
  });
});

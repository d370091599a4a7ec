import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { newConversation, sessionKey } from './ids.js';
import { ConversationRecords } from './store.js';
import { CompiledStatements } from './statements.js';

describe.each(DIALECTS)('statements built once (%s)', (dialect) => {
  let t: TestDatabase;
  let records: ConversationRecords;
  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    records = new ConversationRecords(t.db, t.dialect);
  });
  afterAll(() => t?.dispose());

  it('stores and reads each call\'s own values through the SQL built at the first', async () => {
    const convs = await Promise.all(['s1', 's2', 's3'].map((s, i) => records.openConversation(`session-${s}-${dialect}`, i ? 'wechat-mp' : 'web', i === 2 ? 'openid-3' : null)));
    for (const [i, c] of convs.entries()) {
      await records.addMessage({ conversationId: c.id, role: 'citizen', text: `问题 ${i}` });
      await records.addMessage({ conversationId: c.id, role: 'bot', text: `回答 ${i}`, payload: { n: i }, evidence: { chunks: [i] } }, { touch: false });
      await records.updateConversation(c.id, { state: `{"n":${i}}`, guide_id: `g${i}` });
    }
    for (const [i, c] of convs.entries()) {
      const again = await records.conversationBySession(`session-s${i + 1}-${dialect}`);
      expect(again).toMatchObject({ id: c.id, channel: i ? 'wechat-mp' : 'web', contact: i === 2 ? 'openid-3' : null, state: `{"n":${i}}`, guide_id: `g${i}` });
      const msgs = await records.listMessages(c.id);
      expect(msgs.map((m) => [m.role, m.text, m.payload, m.evidence])).toEqual([
        ['citizen', `问题 ${i}`, null, null],
        ['bot', `回答 ${i}`, { n: i }, { chunks: [i] }],
      ]);
      expect(msgs[1].seq).toBeGreaterThan(msgs[0].seq);
    }
    // Another set of columns is another statement.
    await records.updateConversation(convs[0].id, { status: 'waiting', department: '公安' });
    expect(await records.getConversation(convs[0].id)).toMatchObject({ status: 'waiting', department: '公安', state: '{"n":0}' });
  });

  it('stores a fresh conversation with its first message, and fails the message when the conversation is not stored', async () => {
    const fresh = await records.openConversation(`fresh-${dialect}`, 'web', null, { fresh: true });
    const first = await records.addMessage({ conversationId: fresh.id, role: 'citizen', text: '第一句' }, { touch: false });
    expect(await records.conversationBySession(`fresh-${dialect}`)).toMatchObject({ id: fresh.id, channel: 'web' });
    expect((await records.listMessages(fresh.id)).map((m) => [m.id, m.text])).toEqual([[first.id, '第一句']]);
    // "Fresh" with a session id that has a conversation already: its insert breaks the unique session key.
    const clash = records.openConversation(`fresh-${dialect}`, 'web', null, { fresh: true });
    const lost = clash.then((c) => records.addMessage({ conversationId: c.id, role: 'citizen', text: '不该存下' }, { touch: false }).then(() => c));
    await expect(lost).rejects.toThrow();
    const rows = await t.db.selectFrom('messages').select('text').where('text', '=', '不该存下').execute();
    expect(rows).toEqual([]);
    expect((await t.db.selectFrom('conversations').select('id').where('session_key', '=', sessionKey(`fresh-${dialect}`)).execute()).map((r) => r.id)).toEqual([fresh.id]);
  });

  it('refuses parameters that are not the ones Kysely binds, and leaves expressions to Kysely', async () => {
    const statements = new CompiledStatements(t.db as never);
    const row = newConversation(sessionKey(`order-${dialect}`), 'web', null);
    const build = () => t.db.insertInto('conversations').values(row);
    await expect(statements.execute('wrong order', [row.session_key, row.id], build)).rejects.toThrow(/not the ones Kysely binds/);
    await t.db.insertInto('conversations').values(row).execute();
    const later = row.updated_at + 1000;
    const expr = sql<number>`${later}`;
    await statements.execute('expression', [expr, row.id], () => t.db.updateTable('conversations').set({ updated_at: expr }).where('id', '=', row.id));
    expect(Number((await records.getConversation(row.id))!.updated_at)).toBe(later);
  });
});

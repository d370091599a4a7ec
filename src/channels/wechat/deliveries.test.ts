/** The delivery log on both record backends: a message is recorded (and so queued) once; its outcome is kept. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationRecords } from '../../records/store.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { ContactSessions, MP_CHANNEL } from './contacts.js';
import { DeliveryLog } from './deliveries.js';
import type { OutboundJob } from './outbound.js';

describe.each(DIALECTS)('WeChat records on %s', (dialect) => {
  let db: TestDatabase;
  let records: ConversationRecords;
  let log: DeliveryLog;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    records = new ConversationRecords(db.db, db.dialect);
    log = new DeliveryLog(db.db);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  async function job(): Promise<OutboundJob> {
    const conv = await records.openConversation(`delivery-log-session-${Math.random().toString(36).slice(2)}`, MP_CHANNEL, 'oOpenId');
    const msg = await records.addMessage({ conversationId: conv.id, role: 'staff', text: '您好' });
    return { id: msg.id, channel: MP_CHANNEL, conversationId: conv.id, contact: 'oOpenId', parts: ['您好'] };
  }

  it('records a message as queued once, however many processes try at once', async () => {
    const j = await job();
    const results = await Promise.all([log.queued(j), log.queued(j), log.queued(j)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await log.get(j.id)).toMatchObject({ status: 'queued', parts: 1, attempts: 0, channel: MP_CHANNEL, conversationId: j.conversationId });
  });

  it('keeps each attempt, the success, or the failure with its code', async () => {
    const ok = await job();
    await log.queued(ok);
    await log.attempted(ok.id, 1, { code: '-1', message: 'system busy' });
    expect(await log.get(ok.id)).toMatchObject({ status: 'queued', attempts: 1, errorCode: '-1' });
    await log.sent(ok.id, 2);
    const sent = await log.get(ok.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, errorCode: null, error: null });
    expect(sent!.sentAt).toBeGreaterThan(0);

    const bad = await job();
    await log.queued(bad);
    await log.failed(bad.id, 1, { code: '45015', message: 'x'.repeat(2000) });
    const failed = await log.get(bad.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, errorCode: '45015' });
    expect(failed!.error).toHaveLength(500);
    expect((await log.ofConversation(bad.conversationId)).map((d) => d.messageId)).toEqual([bad.id]);
  });

  it('stores the session-id key once for every instance', async () => {
    const [a, b] = await Promise.all([ContactSessions.open(db.db, undefined), ContactSessions.open(db.db, undefined)]);
    expect(a.sessionId(MP_CHANNEL, 'o1')).toBe(b.sessionId(MP_CHANNEL, 'o1'));
  });

  it('goes when its conversation is deleted (retention)', async () => {
    const j = await job();
    await log.queued(j);
    await db.db.deleteFrom('messages').where('conversation_id', '=', j.conversationId).execute();
    await db.db.deleteFrom('conversations').where('id', '=', j.conversationId).execute();
    expect(await log.get(j.id)).toBeNull();
  });
});

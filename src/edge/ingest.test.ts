import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, testApp, type TestApp } from '../../test/support/app.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { ConversationRecords } from '../records/store.js';
import type { RecordBatch } from './batch.js';
import { storeRecordBatches } from './ingest.js';

const TOKEN = 'ingest-test-token-0123456789';

function batch(over: Partial<RecordBatch> & { sessionKey?: string; convId?: string } = {}): RecordBatch {
  const { sessionKey = 'key-1', convId = 'c_edge1', ...rest } = over;
  return {
    v: 1,
    conversation: { id: convId, session_key: sessionKey, channel: 'web', contact: null, created_at: 1_000 },
    messages: [
      { id: `${convId}-m1`, role: 'citizen', author: null, type: null, text: '身份证丢了怎么办', payload: null, evidence: null, intent: null, created_at: 1_001 },
      { id: `${convId}-m2`, role: 'bot', author: null, type: 'answer', text: '可以补领。', payload: '{"citations":[]}', evidence: '{"guideId":"id-card-replacement"}', intent: 'ask', created_at: 1_002 },
    ],
    update: { state: '{"guideId":"id-card-replacement"}', guide_id: 'id-card-replacement' },
    at: 1_003,
    ...rest,
  };
}

describe.each(DIALECTS)('storing edge turns at the origin (%s)', (dialect) => {
  let db: TestDatabase;
  let records: ConversationRecords;
  beforeAll(async () => {
    db = await openTestDatabase(dialect);
    records = new ConversationRecords(db.db, db.dialect);
  });
  afterAll(async () => db?.dispose());

  it('creates the conversation under its session key and stores the messages with the edge’s ids', async () => {
    expect(await storeRecordBatches(db.db, [batch()])).toEqual({ batches: 1, messages: 2 });
    const conv = await db.db.selectFrom('conversations').selectAll().where('session_key', '=', 'key-1').executeTakeFirstOrThrow();
    expect(conv).toMatchObject({ id: 'c_edge1', guide_id: 'id-card-replacement', state: '{"guideId":"id-card-replacement"}', status: 'bot' });
    const msgs = await records.listMessages('c_edge1');
    expect(msgs.map((m) => [m.id, m.role, m.text])).toEqual([
      ['c_edge1-m1', 'citizen', '身份证丢了怎么办'],
      ['c_edge1-m2', 'bot', '可以补领。'],
    ]);
    expect(msgs[1].evidence).toEqual({ guideId: 'id-card-replacement' });
  });

  it('stores a batch sent twice once', async () => {
    expect((await storeRecordBatches(db.db, [batch(), batch()])).messages).toBe(0);
    expect(await records.listMessages('c_edge1')).toHaveLength(2);
  });

  it('never lets an older batch overwrite a newer state', async () => {
    const newer = batch({ at: 5_000, update: { state: '{"v":"new"}', guide_id: 'passport' }, messages: [] });
    const older = batch({ at: 2_000, update: { state: '{"v":"old"}', guide_id: 'divorce-registration' }, messages: [] });
    await storeRecordBatches(db.db, [newer, older]);
    const conv = await db.db.selectFrom('conversations').selectAll().where('id', '=', 'c_edge1').executeTakeFirstOrThrow();
    expect(conv).toMatchObject({ state: '{"v":"new"}', guide_id: 'passport', updated_at: 5_000 });
  });

  it('adds to the conversation the origin already has for the session, whatever id the edge gave it', async () => {
    const existing = await records.openConversation('a-session-the-origin-knows', 'web');
    const b = batch({ sessionKey: existing.session_key, convId: 'c_edge_other' });
    await storeRecordBatches(db.db, [b]);
    expect((await records.listMessages(existing.id)).map((m) => m.id)).toEqual(['c_edge_other-m1', 'c_edge_other-m2']);
    expect(await records.getConversation('c_edge_other')).toBeUndefined();
  });
});

describe('POST /api/edge/records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ env: { EDGE_INGEST_TOKEN: TOKEN } });
  });
  afterAll(async () => t?.dispose());

  it('accepts batches with the edge token only', async () => {
    const body = { batches: [batch({ sessionKey: 'key-route', convId: 'c_route' })] };
    expect((await postJson(t.app, '/api/edge/records', body)).status).toBe(401);
    expect((await postJson(t.app, '/api/edge/records', body, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const ok = await postJson(t.app, '/api/edge/records', body, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ batches: 1, messages: 2 });
  });

  it('answers 400 with the error shape for a malformed batch', async () => {
    const res = await postJson(t.app, '/api/edge/records', { batches: [{ v: 2 }] }, { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('does not exist when EDGE_INGEST_TOKEN is not set', async () => {
    const plain = await testApp();
    try {
      expect((await postJson(plain.app, '/api/edge/records', { batches: [batch()] }, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    } finally {
      await plain.dispose();
    }
  });
});

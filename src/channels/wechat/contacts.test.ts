import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptableSessionId } from '../../dialogue/session.js';
import { openDatabase, type OpenedDatabase } from '../../records/db.js';
import { ContactSessions, MP_CHANNEL, WECHATY_CHANNEL } from './contacts.js';

let dir: string;
let db: OpenedDatabase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'govchat-contacts-'));
  db = await openDatabase({ sqlitePath: join(dir, 'db.sqlite') });
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('WeChat contact session ids', () => {
  it('are stable for a contact, acceptable session ids, and never the contact id', async () => {
    const a = await ContactSessions.open(db.db, undefined);
    const id = a.sessionId(MP_CHANNEL, 'oAbc123OpenId');
    expect(acceptableSessionId(id)).toBe(true);
    expect(id).toHaveLength(32);
    expect(id).not.toContain('oAbc123OpenId');
    expect(a.sessionId(MP_CHANNEL, 'oAbc123OpenId')).toBe(id);
    expect(a.sessionId(MP_CHANNEL, 'oAbc123OpenId2')).not.toBe(id);
    expect(a.sessionId(WECHATY_CHANNEL, 'oAbc123OpenId')).not.toBe(id);
  });

  it('without GOVCHAT_SECRET use a key stored on first use, the same for every instance and restart', async () => {
    const first = await ContactSessions.open(db.db, undefined);
    const second = await ContactSessions.open(db.db, undefined);
    expect(second.sessionId(WECHATY_CHANNEL, 'wxid_1')).toBe(first.sessionId(WECHATY_CHANNEL, 'wxid_1'));
    const rows = await db.db.selectFrom('channel_secrets').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].value, 'base64url').length).toBe(32);
    // Another database (another deployment) has another key.
    const otherDir = mkdtempSync(join(tmpdir(), 'govchat-contacts-'));
    const other = await openDatabase({ sqlitePath: join(otherDir, 'db.sqlite') });
    try {
      expect((await ContactSessions.open(other.db, undefined)).sessionId(WECHATY_CHANNEL, 'wxid_1')).not.toBe(first.sessionId(WECHATY_CHANNEL, 'wxid_1'));
    } finally {
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('with GOVCHAT_SECRET are derived from it, whatever the database holds', async () => {
    const x = await ContactSessions.open(db.db, 'a-shared-secret-of-the-deployment');
    const y = await ContactSessions.open(db.db, 'a-shared-secret-of-the-deployment');
    expect(x.sessionId(MP_CHANNEL, 'o1')).toBe(y.sessionId(MP_CHANNEL, 'o1'));
    expect(x.sessionId(MP_CHANNEL, 'o1')).not.toBe((await ContactSessions.open(db.db, undefined)).sessionId(MP_CHANNEL, 'o1'));
    expect(x.sessionId(MP_CHANNEL, 'o1')).not.toBe((await ContactSessions.open(db.db, 'another-secret-of-16+ chars')).sessionId(MP_CHANNEL, 'o1'));
  });

  it('give logs a short reference that is not the contact id and not the session id', async () => {
    const s = await ContactSessions.open(db.db, undefined);
    const ref = s.ref('oAbc123OpenId');
    expect(ref).toHaveLength(10);
    expect(s.sessionId(MP_CHANNEL, 'oAbc123OpenId')).not.toContain(ref);
  });
});

/**
 * "Done when" of the records issue: with no configuration govchat keeps its records in
 * DATA_DIR/govchat.sqlite and a conversation carries on across a restart; with DATABASE_URL the
 * same holds on PostgreSQL. Here with two createServices runs on one store; server-restart.test.ts
 * does it with the real server process.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createServices } from '../../src/services.js';
import { sharedLibrary } from '../support/library.js';
import { dropSchema, testPostgresUrl, uniqueName } from '../support/services.js';

const chat = (sessionId: string | null, message: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
});

const dirs: string[] = [];
const schemas: { url: string; schema: string }[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s.url, s.schema);
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-data-'));
  dirs.push(dir);
  return dir;
}

async function pgSchema(): Promise<{ url: string; schema: string; urlWithSchema: string }> {
  const url = await testPostgresUrl();
  const schema = uniqueName('restart');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`create schema "${schema}"`);
  await c.end();
  schemas.push({ url, schema });
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url, schema, urlWithSchema: u.toString() };
}

describe('records survive a restart (two createServices runs on one store)', () => {
  it.each(['sqlite', 'postgres'] as const)('%s', async (dialect) => {
    const dataDir = tempDataDir();
    const env: Record<string, string> = { LOG_LEVEL: 'silent', DATA_DIR: dataDir };
    const overrides: { databaseSchema?: string } = {};
    if (dialect === 'postgres') {
      const p = await pgSchema();
      env.DATABASE_URL = p.url;
      overrides.databaseSchema = p.schema;
    }
    const library = await sharedLibrary();
    const first = await createServices(loadConfig(env), silentLogger, { library, ...overrides });
    const a = await (await createApp(first).request('/api/chat', chat(null, '身份证丢了怎么办'))).json();
    expect(a.citations[0].guideId).toBe('id-card-replacement');
    await first.close();
    if (dialect === 'sqlite') expect(existsSync(join(dataDir, 'govchat.sqlite'))).toBe(true);
    else expect(existsSync(join(dataDir, 'govchat.sqlite'))).toBe(false);

    // A new process has empty in-memory sessions: the conversation comes back from the record.
    const second = await createServices(loadConfig(env), silentLogger, { library, ...overrides });
    const b = await (await createApp(second).request('/api/chat', chat(a.sessionId, '要多少钱'))).json();
    expect(b.sessionId).toBe(a.sessionId);
    expect(b.citations[0]).toMatchObject({ guideId: 'id-card-replacement', section: 'fee' });
    const conv = await second.records.conversationBySession(a.sessionId);
    const messages = await second.records.listMessages(conv!.id);
    expect(messages.map((m) => m.role)).toEqual(['citizen', 'bot', 'citizen', 'bot']);
    expect(messages[0].text).toBe('身份证丢了怎么办');
    await second.close();
  });
});

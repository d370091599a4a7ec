/**
 * The record store's two backends for tests: every store test runs against SQLite and the real
 * PostgreSQL (`describe.each(DIALECTS)` with `openTestDatabase`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenedDatabase } from '../../src/records/db.js';
import type { Dialect } from '../../src/records/migrations.js';
import { dropSchema, testPostgresUrl, uniqueName } from './services.js';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export interface TestDatabase extends OpenedDatabase {
  /** Closes and removes the database (SQLite file, or the PostgreSQL schema). */
  dispose(): Promise<void>;
  /** What `createServices` overrides need to use this same database. */
  overrides: { sqlitePath?: string; databaseSchema?: string; databaseUrl?: string };
}

export async function openTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'govchat-db-'));
    const sqlitePath = join(dir, 'test.sqlite');
    const db = await openDatabase({ sqlitePath });
    return {
      ...db,
      overrides: { sqlitePath },
      dispose: async () => {
        await db.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await testPostgresUrl();
  const schema = uniqueName('t');
  const db = await openDatabase({ url, sqlitePath: '', schema });
  return {
    ...db,
    overrides: { databaseSchema: schema, databaseUrl: url },
    dispose: async () => {
      await db.close().catch(() => {});
      await dropSchema(url, schema);
    },
  };
}

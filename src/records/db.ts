import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { SqliteThread, type SqliteThreadOptions } from './sqlite-thread.js';
import { migrationProvider, type Dialect } from './migrations.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where it lives, for the logs (password removed). */
  where: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; unset: SQLite at sqlitePath. */
  url?: string;
  sqlitePath: string;
  /** PostgreSQL schema to use (created if missing); tests use one per run. */
  schema?: string;
  /** SQLite: told if the background WAL checkpoints stop (the writer checkpoints itself again). */
  onCheckpointError?: (e: Error) => void;
  /** SQLite: told of each group of statements committed by its thread (for the metrics). */
  onBatch?: SqliteThreadOptions['onBatch'];
}

export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Opens the record store's database and runs pending migrations. */
export async function openDatabase(opts: DatabaseOptions): Promise<OpenedDatabase> {
  if (opts.url) {
    // Loaded only for PostgreSQL: an embedded (SQLite) start does not pay for pg.
    const { default: pg } = await import('pg');
    // bigint (int8) columns hold epoch milliseconds: safe as JS numbers.
    pg.types.setTypeParser(20, (v) => Number(v));
    const u = new URL(opts.url);
    const where = `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}${opts.schema ? ` (schema ${opts.schema})` : ''}`;
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`);
    if (opts.schema) {
      const admin = new pg.Client({ connectionString: opts.url, connectionTimeoutMillis: 5000 });
      try {
        await admin.connect();
        // The name is checked above; identifiers cannot be bound as parameters.
        await admin.query(`create schema if not exists "${opts.schema}"`);
      } catch (e) {
        throw new DatabaseUnavailableError(`PostgreSQL at ${where} is not reachable: ${(e as Error).message}`);
      } finally {
        await admin.end().catch(() => {});
      }
    }
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: 10,
      connectionTimeoutMillis: 5000,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead
    // A checked-out client has no error listener of the pool's: PostgreSQL going away while one
    // is held between queries would be an uncaught exception (found by the outage test). The
    // query in flight still fails, and a broken client is not returned to the pool.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // Kysely's migrator looks for its tables in every schema; name the one in use.
    let schema = opts.schema;
    if (!schema) {
      try {
        schema = (await sql<{ s: string | null }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? undefined;
      } catch (e) {
        await db.destroy().catch(() => {});
        throw new DatabaseUnavailableError(`PostgreSQL at ${where} is not reachable: ${(e as Error).message}`);
      }
    }
    await migrate(db, 'postgres', where, schema);
    return { db, dialect: 'postgres', where, close: () => db.destroy() };
  }
  mkdirSync(dirname(opts.sqlitePath), { recursive: true });
  const thread = new SqliteThread({
    path: opts.sqlitePath,
    // WAL with NORMAL sync: a commit survives a crash of the process (not of the machine's power),
    // without an fsync per chat message.
    pragmas: ['journal_mode = WAL', 'foreign_keys = ON', 'busy_timeout = 5000', 'synchronous = NORMAL'],
    onBatch: opts.onBatch,
  });
  await thread.ready;
  const db = new Kysely<Database>({ dialect: new GroupCommitSqliteDialect(thread) });
  await migrate(db, 'sqlite', opts.sqlitePath);
  const checkpoints = startCheckpointer(thread, { onError: opts.onCheckpointError });
  const close = async () => {
    await checkpoints.stop();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', where: opts.sqlitePath, close };
}

async function migrate(db: Kysely<Database>, dialect: Dialect, where: string, schema?: string): Promise<void> {
  // Unordered: capabilities add migrations on parallel branches; a merged one dated earlier still runs.
  // The schema is named: Kysely otherwise finds another schema's migration table and skips creating its own.
  // (Databases migrated before this change keep their tables in the same schema, so nothing moves.)
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  let { error } = await migrator.migrateToLatest();
  // Kysely reads the catalogue of every schema; one dropped meanwhile by someone else (test runs
  // side by side, another tenant) fails that read. Not ours to worry about: read it again.
  for (let i = 0; i < 3 && error && isOtherSchemaGone(error, schema); i++) ({ error } = await migrator.migrateToLatest());
  if (error) {
    await db.destroy().catch(() => {});
    const msg = (error as Error).message ?? String(error);
    if (/ECONNREFUSED|ENOTFOUND|timeout|terminated|does not exist|authentication/i.test(msg)) {
      throw new DatabaseUnavailableError(`database at ${where} is not reachable: ${msg}`);
    }
    throw new Error(`database migration failed at ${where}: ${msg}`);
  }
}

function isOtherSchemaGone(error: unknown, schema: string | undefined): boolean {
  const m = /schema "([^"]+)" does not exist/.exec((error as Error)?.message ?? '');
  return !!m && m[1] !== schema;
}

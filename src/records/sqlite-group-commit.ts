import { CompiledQuery, SelectQueryNode, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryCompiler, type QueryResult } from 'kysely';
import { SqliteThreadError, type Outcome, type SqliteThread, type Statement } from './sqlite-thread.js';

/**
 * Kysely's SQLite dialect with group commit, the connection in a thread of its own
 * (sqlite-thread.ts). Each statement outside an explicit transaction used to be its own
 * transaction, and on this kind of disk a commit costs about three times the insert it carries
 * (measured: 138 µs an insert alone, 42 µs inside a transaction). Here the statements issued
 * during one turn of the event loop — from every request in flight — go to the thread together
 * (setImmediate) and share one transaction there. A statement's promise resolves only after its
 * commit, so "stored" still means committed before anyone is told, and a failed commit rejects
 * every statement it carried. Statements reach the connection in the order they were issued.
 *
 * Explicit transactions (db.transaction()) send the open group first and then hold the
 * connection alone, as Kysely's own driver does with its mutex: statements from elsewhere
 * wait until the transaction ends. Another connection to the same file (a bot and an API sharing
 * a database, as tests do) has its own thread: the two wait for each other's write lock there
 * (busy_timeout), never on the event loop that has to finish the other's transaction.
 */
export class GroupCommitSqliteDialect implements Dialect {
  constructor(private readonly thread: SqliteThread) {}
  createDriver(): Driver {
    return new GroupCommitDriver(this.thread);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

interface Pending {
  statement: Statement;
  resolve(o: Outcome): void;
  reject(e: unknown): void;
}

interface Exclusive {
  owner: DatabaseConnection;
  ended: Promise<void>;
  end(): void;
}

class GroupCommitDriver implements Driver {
  /** Statements issued in this turn of the event loop, for the next batch. */
  private group: Pending[] | null = null;
  /** An explicit transaction holding the connection. */
  private exclusive: Exclusive | null = null;

  constructor(private readonly thread: SqliteThread) {}

  async init(): Promise<void> {
    await this.thread.ready;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // One handle per caller: an explicit transaction knows its own statements from the others'.
    const connection: DatabaseConnection = {
      executeQuery: <R>(q: CompiledQuery) => this.execute<R>(connection, q),
      streamQuery: <R>(q: CompiledQuery) => this.stream<R>(connection, q),
    };
    return connection;
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.exclusive) await this.exclusive.ended;
    this.send();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.exclusive = { owner: connection, ended, end };
    try {
      await this.thread.exec('begin immediate');
    } catch (e) {
      this.endExclusive();
      throw e;
    }
  }

  async commitTransaction(): Promise<void> {
    try {
      await this.thread.exec('commit');
    } finally {
      // A failed commit leaves the transaction open for the caller's rollback; the connection is released then.
      if (!this.thread.inTransaction) this.endExclusive();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      if (this.thread.inTransaction) await this.thread.exec('rollback');
    } finally {
      this.endExclusive();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async destroy(): Promise<void> {
    this.send();
    await this.thread.close();
  }

  private endExclusive(): void {
    const x = this.exclusive;
    this.exclusive = null;
    x?.end();
  }

  private async execute<R>(connection: DatabaseConnection, q: CompiledQuery): Promise<QueryResult<R>> {
    while (this.exclusive && this.exclusive.owner !== connection) await this.exclusive.ended;
    const statement: Statement = { sql: q.sql, params: q.parameters };
    if (this.exclusive) return result<R>(await this.thread.run(statement));
    const outcome = await new Promise<Outcome>((resolve, reject) => {
      if (!this.group) {
        this.group = [];
        setImmediate(() => this.send());
      }
      this.group.push({ statement, resolve, reject });
    });
    return result<R>(outcome);
  }

  private async *stream<R>(connection: DatabaseConnection, q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('Sqlite driver only supports streaming of select queries');
    // The rows come over from the thread at once; nothing in govchat streams more than a page.
    for (const row of (await this.execute<R>(connection, q)).rows) yield { rows: [row] };
  }

  /** Sends the open group to the thread and tells each statement how it went once committed. */
  private send(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    this.thread.batch(group.map((p) => p.statement)).then(
      (replies) => replies.forEach((r, i) => ('ok' in r ? group[i].resolve(r.ok) : group[i].reject(new SqliteThreadError(r.err)))),
      (e: unknown) => group.forEach((p) => p.reject(e)),
    );
  }
}

function result<R>(o: Outcome): QueryResult<R> {
  if ('rows' in o) return { rows: o.rows as R[] };
  return { numAffectedRows: BigInt(o.changes), insertId: BigInt(o.lastInsertRowid), rows: [] };
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

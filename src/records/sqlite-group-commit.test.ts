import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { SqliteThread, THREAD_STOPPED } from './sqlite-thread.js';
import { isBackendDown } from '../platform/http.js';
import { expectScriptExits } from '../../test/support/script.js';

interface Db {
  t: { id: number; v: string };
  parent: { id: number };
  child: { id: number; parent_id: number };
}

describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let thread: SqliteThread;
  let db: Kysely<Db>;
  /** A second connection to the same file: it sees only what is committed. */
  let other: SQLite.Database;
  const commits = () => thread.commits;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govchat-group-commit-'));
    file = join(dir, 'db.sqlite');
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.exec('create table t (id integer primary key, v text not null)');
    raw.exec('create table parent (id integer primary key)');
    raw.exec('create table child (id integer primary key, parent_id integer not null references parent(id) deferrable initially deferred)');
    raw.close();
    thread = new SqliteThread({ path: file, pragmas: ['foreign_keys = ON', 'busy_timeout = 5000'] });
    db = new Kysely<Db>({ dialect: new GroupCommitSqliteDialect(thread) });
    other = new SQLite(file, { readonly: true });
  });

  afterEach(async () => {
    other.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const committed = () => (other.prepare('select count(*) as n from t').get() as { n: number }).n;

  it('writes issued together share one commit, and each resolves only once committed', async () => {
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db
          .insertInto('t')
          .values({ id: i, v: `row ${i}` })
          .execute()
          .then(() => seen.push(committed())),
      ),
    );
    expect(commits()).toBe(1);
    // Every promise saw all 50 rows from the other connection: none resolved before the commit.
    expect(seen).toEqual(Array(50).fill(50));
  });

  it('a request that awaits each write in turn gets each committed before the next', async () => {
    for (let i = 0; i < 3; i++) {
      await db.insertInto('t').values({ id: i, v: 'x' }).execute();
      expect(committed()).toBe(i + 1);
    }
    expect(commits()).toBe(3);
    // Reads with no write pending run at once; a read in an open group waits for its commit too.
    expect(await db.selectFrom('t').select('id').execute()).toHaveLength(3);
    const [, rows] = await Promise.all([db.insertInto('t').values({ id: 9, v: 'y' }).execute(), db.selectFrom('t').selectAll().execute()]);
    expect(rows).toHaveLength(4);
    expect(commits()).toBe(4);
  });

  it('a failed statement rejects alone; the rest of its group is committed', async () => {
    await db.insertInto('t').values({ id: 1, v: 'first' }).execute();
    const results = await Promise.allSettled([
      db.insertInto('t').values({ id: 2, v: 'ok' }).execute(),
      db.insertInto('t').values({ id: 1, v: 'duplicate' }).execute(),
      db.insertInto('t').values({ id: 3, v: 'ok' }).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    // The error crosses the thread with its code, as better-sqlite3 gives it.
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'SqliteError', code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(committed()).toBe(3);
  });

  it('a failed commit rejects every statement it carried, and none of them is stored', async () => {
    // A deferred foreign key is checked at commit: this child has no parent.
    const results = await Promise.allSettled([db.insertInto('t').values({ id: 1, v: 'a' }).execute(), db.insertInto('child').values({ id: 1, parent_id: 99 }).execute()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed()).toBe(0);
    // The connection is usable again.
    await db.insertInto('t').values({ id: 2, v: 'b' }).execute();
    expect(committed()).toBe(1);
  });

  it('an explicit transaction holds the connection: others wait, and its rollback takes only its own writes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const trx = db
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto('t').values({ id: 1, v: 'in the transaction' }).execute();
        await gate;
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 5));
    // Issued while the transaction is open: it waits, then commits on its own.
    const outside = db.insertInto('t').values({ id: 2, v: 'outside' }).execute();
    await new Promise((r) => setTimeout(r, 5));
    expect(committed()).toBe(0);
    release();
    expect(await trx).toBe('roll back');
    await outside;
    expect(other.prepare('select id from t').all()).toEqual([{ id: 2 }]);
  });

  it('a transaction commits the group open before it; savepoints work inside it', async () => {
    const pending = db.insertInto('t').values({ id: 1, v: 'before' }).execute();
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 2, v: 'in' }).execute();
      await sql`savepoint a`.execute(tx);
      await tx.insertInto('t').values({ id: 3, v: 'undone' }).execute();
      await sql`rollback to a`.execute(tx);
    });
    await pending;
    expect(other.prepare('select id from t order by id').all()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('two connections to one file in one process write side by side without waiting on each other', async () => {
    const second = new SqliteThread({ path: file, pragmas: ['busy_timeout = 5000'] });
    const db2 = new Kysely<Db>({ dialect: new GroupCommitSqliteDialect(second) });
    try {
      const started = performance.now();
      // An insert … returning is a write that returns rows: it joins a group like any other write.
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? db.insertInto('t').values({ id: i, v: 'x' }).execute() : db2.insertInto('t').values({ id: i, v: 'x' }).returning('id').execute())));
      // Without committing one group before the other opens, the second write waits out busy_timeout (5 s).
      expect(performance.now() - started).toBeLessThan(1000);
      expect(committed()).toBe(20);
      // The same with the other connection's group surely open when the insert … returning runs.
      const open = db.insertInto('t').values({ id: 100, v: 'group' }).execute();
      for (let i = 0; i < 20; i++) await Promise.resolve();
      const t0 = performance.now();
      await db2.insertInto('t').values({ id: 101, v: 'returning' }).returning('id').execute();
      await open;
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(committed()).toBe(22);
      // And while the other connection's explicit transaction is open (across a timer), a write waits for it.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const trx = db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ id: 200, v: 'in the transaction' }).execute();
        await gate;
      });
      await new Promise((r) => setTimeout(r, 5));
      const t1 = performance.now();
      const waiting = db2.insertInto('t').values({ id: 201, v: 'waits' }).execute();
      setTimeout(release, 20);
      await Promise.all([trx, waiting]);
      expect(performance.now() - t1).toBeLessThan(1000);
      expect(committed()).toBe(24);
    } finally {
      await db2.destroy();
    }
  });

  it('runs its statements off the event loop: timers fire while a long write is under way', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await sql`insert into t (id, v) with recursive n(i) as (select 1 union all select i + 1 from n where i < 300000) select i, 'x' from n`.execute(db);
    } finally {
      clearInterval(timer);
    }
    expect(committed()).toBe(300_000);
    // On the event loop, the insert and its commit would have run in one go, no timer between.
    expect(ticks).toBeGreaterThan(0);
  });

  it('says why a database cannot be opened, and a statement sent after is told too', async () => {
    const bad = new SqliteThread({ path: dir }); // a directory
    await expect(bad.ready).rejects.toThrow(/unable to open|directory/i);
    await expect(bad.exec('select 1')).rejects.toThrow();
    expect(bad.open).toBe(false);
  });

  it('once its thread is gone, every statement is told the database is unavailable (a 503, not a 500)', async () => {
    await db.insertInto('t').values({ id: 1, v: 'kept' }).execute();
    await (thread as unknown as { worker: Worker }).worker.terminate();
    const e = await db.insertInto('t').values({ id: 2, v: 'lost' }).execute().catch((err: unknown) => err);
    expect(e).toMatchObject({ code: THREAD_STOPPED, message: expect.stringMatching(/SQLite thread stopped/) });
    expect(isBackendDown(e)).toBe(true);
    expect(thread.open).toBe(false);
    expect(committed()).toBe(1);
  });

  it('a tool that ends without closing the database exits, and what it wrote is kept', () => {
    expectScriptExits(
      dir,
      `import { openDatabase } from ${JSON.stringify(join(process.cwd(), 'src/records/db.ts'))};
const { db } = await openDatabase({ sqlitePath: ${JSON.stringify(join(dir, 'tool.sqlite'))} });
await db.insertInto('unanswered').values({ id: 'u1', question: '从工具写入', normalized: 'x', reason: 'no_answer', created_at: Date.now() }).execute();
console.log('written');
`,
      'written',
    );
    const tool = new SQLite(join(dir, 'tool.sqlite'), { readonly: true });
    expect(tool.prepare('select question from unanswered').all()).toEqual([{ question: '从工具写入' }]);
    tool.close();
  });
});

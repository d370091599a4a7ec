/**
 * The background WAL checkpointer on real SQLite files: the worker copies committed pages into the
 * database file while the writer's own checkpoint waits at the net, closing leaves no WAL behind,
 * a worker that cannot start hands checkpoints back to the writer, and it never keeps a process alive.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { expectScriptExits } from '../../test/support/script.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'govchat-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function walDatabase(name: string) {
  const path = join(dir, name);
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table t (id integer primary key, body text not null)');
  return { path, db };
}

/** ~2 MiB in 500 commits: about 600 pages, under SQLite's own 1000-page checkpoint. */
function write(db: SQLite.Database) {
  const insert = db.prepare('insert into t (body) values (?)');
  for (let i = 0; i < 500; i++) insert.run('办事指南'.repeat(350));
}

const until = async (what: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !what(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('background WAL checkpoints', () => {
  it('copies committed pages into the database file from the worker; the writer checkpoints only past the net', async () => {
    const { path, db } = walDatabase('a.sqlite');
    const checkpoints = startCheckpointer(db, { intervalMs: 50 });
    await checkpoints.ready;
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    const before = statSync(path).size;
    write(db);
    // Nothing in this thread checkpointed (600 pages < 1000): only the worker can grow the file.
    await until(() => statSync(path).size > before + 2 * 2 ** 20);
    await checkpoints.stop();
    db.close();
    // The worker's connection closed first, so the writer's close was the last: no WAL left.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new SQLite(path, { readonly: true });
    expect(reopened.prepare('select count(*) n from t').get()).toEqual({ n: 500 });
    reopened.close();
  });

  it('looks seldom while nothing is written, soon while the WAL grows', async () => {
    const { path, db } = walDatabase('idle.sqlite');
    const checkpoints = startCheckpointer(db, { intervalMs: 20, idleMs: 60_000 });
    await checkpoints.ready;
    await new Promise((r) => setTimeout(r, 200)); // its first look found the WAL as it was: next in a minute
    const before = statSync(path).size;
    write(db);
    await new Promise((r) => setTimeout(r, 1000));
    expect(statSync(path).size).toBe(before);
    await checkpoints.stop();
    db.close();
  });

  it('hands checkpoints back to the writer, saying why, when the worker cannot start', async () => {
    const { path, db } = walDatabase('b.sqlite');
    db.pragma('wal_autocheckpoint = 0');
    renameSync(path, `${path}.moved`); // the worker opens by name, and must find the file
    const errors: Error[] = [];
    const checkpoints = startCheckpointer(db, { onError: (e) => errors.push(e) });
    await expect(checkpoints.ready).rejects.toThrow();
    expect(errors).toHaveLength(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpoints.stop();
    db.close();
  });

  it('does not keep a process alive that ends without closing its database', () => {
    const { path, db } = walDatabase('c.sqlite');
    db.close();
    expectScriptExits(
      dir,
      `import SQLite from ${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))};
import { startCheckpointer } from ${JSON.stringify(join(process.cwd(), 'src/records/sqlite-checkpointer.ts'))};
const db = new SQLite(${JSON.stringify(path)});
await startCheckpointer(db, { intervalMs: 20 }).ready;
console.log('started');
`,
      'started',
    );
  });
});

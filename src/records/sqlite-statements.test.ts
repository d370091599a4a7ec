import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './sqlite-statements.js';

describe('prepared-statement cache for SQLite', () => {
  it('reuses a statement for the same SQL, and never shares one that is busy', () => {
    const raw = new SQLite(':memory:');
    const db = withStatementCache(raw);
    db.exec('create table t (n integer)');
    const insert = db.prepare('insert into t values (?)');
    for (let i = 0; i < 5; i++) insert.run(i);
    expect(db.prepare('insert into t values (?)')).toBe(insert);
    // An open iterator keeps its statement busy; the same SQL meanwhile gets its own statement.
    const iter = db.prepare('select n from t order by n').iterate() as IterableIterator<{ n: number }>;
    expect(iter.next().value).toEqual({ n: 0 });
    expect(db.prepare('select n from t order by n').all()).toHaveLength(5);
    expect([...iter].map((r) => r.n)).toEqual([1, 2, 3, 4]);
    // Everything else is the database itself.
    expect(db.pragma('journal_mode', { simple: true })).toBe(raw.pragma('journal_mode', { simple: true }));
    raw.close();
  });
});

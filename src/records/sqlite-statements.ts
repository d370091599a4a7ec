import type { Database, Statement } from 'better-sqlite3';

/**
 * better-sqlite3 behind a cache of prepared statements. Kysely's SQLite driver prepares every
 * query anew, and preparing costs more than running the small queries a chat turn makes; the
 * same SQL (parameters are bound, never inlined) reuses its statement. A statement still busy
 * (an open iterator of an export) is not shared: a fresh one is prepared for that call.
 */
export function withStatementCache(db: Database, max = 500): Database {
  const cache = new Map<string, Statement>();
  const prepare = (source: string): Statement => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source);
      cache.set(source, hit); // most recently used last
      return hit;
    }
    const stmt = db.prepare(source);
    if (!hit) {
      cache.set(source, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
    }
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

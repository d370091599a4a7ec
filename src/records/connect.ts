import type { Logger } from '../platform/logger.js';
import { DatabaseUnavailableError, openDatabase, type DatabaseOptions, type OpenedDatabase } from './db.js';

/**
 * Opens the database, retrying while PostgreSQL is not reachable yet (it often starts after the
 * API in a deployment): each failed attempt is logged with its reason, the wait doubles from
 * 500 ms to 5 s, and after `retrySeconds` the last DatabaseUnavailableError is thrown, naming
 * where PostgreSQL was expected (never the password). Other errors (a failed migration) stop at once.
 */
export async function openDatabaseWithRetry(opts: DatabaseOptions, o: { retrySeconds: number; logger: Logger; sleep?: (ms: number) => Promise<void> }): Promise<OpenedDatabase> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + o.retrySeconds * 1000;
  let delay = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      const opened = await openDatabase({
        onCheckpointError: (e) => o.logger.warn({ err: { message: e.message } }, 'background WAL checkpoints stopped; SQLite checkpoints in its commits again'),
        ...opts,
      });
      if (attempt > 1) o.logger.info({ database: opened.where, attempts: attempt }, 'database reachable');
      return opened;
    } catch (e) {
      if (!(e instanceof DatabaseUnavailableError)) throw e;
      const left = deadline - Date.now();
      if (left <= 0) throw e;
      const wait = Math.min(delay, left);
      o.logger.warn({ err: { message: e.message }, attempt, retryInMs: wait }, 'database not reachable; retrying');
      await sleep(wait);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

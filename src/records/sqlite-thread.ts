import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The SQLite connection in a worker thread of its own. better-sqlite3 is synchronous: on the event
 * loop every insert, and every commit with its WAL writes, is time no request is served, while the
 * second core sat mostly idle. Here the event loop only hands statements over (a structured clone)
 * and is told the outcome; the thread runs them in the order they were sent. (`npm run bench:ab`
 * against the build before: event-loop CPU a served chat turn 530 → 334 µs on a 2-core EPYC.)
 *
 * `batch` runs statements in one transaction and commits it before answering: the group commit of
 * sqlite-group-commit.ts. A statement that fails (a constraint) fails alone; an error that rolls
 * the transaction back, or a failed commit, fails every statement it carried. `run` and `exec`
 * are for an explicit transaction, one statement at a time.
 */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/** What a statement gave: the rows of a reader, or what a write changed. */
export type Outcome = { rows: unknown[] } | { changes: number; lastInsertRowid: number | bigint };

export type BatchReply = { ok: Outcome } | { err: ThreadError };

/** An error as it crosses the thread (structured clone keeps no `code`). */
interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

export interface SqliteThreadOptions {
  path: string;
  /** Run on the connection once it is open, in order (journal_mode, busy_timeout, …). */
  pragmas?: string[];
  /** Told of each batch once answered: from hand-over to the commit told (ms), and how many statements it carried. */
  onBatch?: (ms: number, statements: number) => void;
}

// CommonJS, run with eval, like the checkpointer's worker: a file of its own would need a place
// in every bundle. It loads the same better-sqlite3 the main thread resolved.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const fault = (e) => ({ name: e && e.name || 'Error', message: String(e && e.message || e), code: e && typeof e.code === 'string' ? e.code : undefined });
let db = null;
try {
  db = new SQLite(workerData.path);
  for (const p of workerData.pragmas) db.pragma(p);
} catch (e) {
  if (db) db.close();
  db = null;
  parentPort.postMessage({ id: 0, err: fault(e) });
  parentPort.close();
}
// Prepared statements by SQL (parameters are bound, never inlined): preparing costs more than
// running the small statements of a chat turn.
const cache = new Map();
const prepare = (sql) => {
  let s = cache.get(sql);
  if (s) {
    cache.delete(sql);
    cache.set(sql, s);
    return s;
  }
  s = db.prepare(sql);
  cache.set(sql, s);
  if (cache.size > 500) cache.delete(cache.keys().next().value);
  return s;
};
const run = (st) => {
  const s = prepare(st.sql);
  if (s.reader) return { rows: s.all(st.params) };
  const r = s.run(st.params);
  return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
};
const readonly = (st) => {
  try {
    return prepare(st.sql).readonly;
  } catch {
    return false; // its error is reported when it runs
  }
};
const batch = (statements) => {
  const out = statements.map(() => null);
  // Reads alone need no transaction (and take no write lock from another process).
  if (statements.every(readonly)) {
    statements.forEach((st, i) => {
      try {
        out[i] = { ok: run(st) };
      } catch (e) {
        out[i] = { err: fault(e) };
      }
    });
    return { results: out, committed: false };
  }
  // The statements of the open transaction start here; what they did is lost if it is.
  let from = 0;
  const lose = (upto, e) => {
    for (let j = from; j < upto; j++) if (!out[j] || out[j].ok) out[j] = { err: fault(e) };
  };
  // immediate: the write lock from the start, waited for (busy_timeout) — a deferred transaction
  // that read first could not take it later once another connection had committed.
  try {
    db.exec('begin immediate');
  } catch (e) {
    lose(statements.length, e);
    return { results: out, committed: false };
  }
  for (let i = 0; i < statements.length; i++) {
    try {
      out[i] = { ok: run(statements[i]) };
    } catch (e) {
      out[i] = { err: fault(e) };
      if (!db.inTransaction) {
        // Some errors (disk full, I/O) roll the whole transaction back: what it carried is lost.
        lose(i, e);
        from = i + 1;
        try {
          db.exec('begin immediate');
        } catch (e2) {
          lose(statements.length, e2);
          return { results: out, committed: false };
        }
      }
    }
  }
  try {
    db.exec('commit');
  } catch (e) {
    try {
      if (db.inTransaction) db.exec('rollback');
    } catch {
      // the commit's error is the one to report
    }
    lose(statements.length, e);
    return { results: out, committed: false };
  }
  return { results: out, committed: true };
};
if (db) parentPort.on('message', (m) => {
  if (m.op === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let reply;
  if (m.op === 'batch') {
    reply = { id: m.id, ...batch(m.statements) };
  } else {
    try {
      reply = { id: m.id, ok: m.op === 'run' ? run(m.statement) : (db.exec(m.sql), null) };
    } catch (e) {
      reply = { id: m.id, err: fault(e) };
    }
  }
  reply.inTransaction = db.inTransaction;
  parentPort.postMessage(reply);
});
if (db) parentPort.postMessage({ id: 0, ok: null });
`;

type Message = { op: 'batch'; statements: Statement[] } | { op: 'run'; statement: Statement } | { op: 'exec'; sql: string };

interface Reply {
  id: number;
  ok?: Outcome | null;
  err?: ThreadError;
  results?: BatchReply[];
  committed?: boolean;
  inTransaction?: boolean;
}

/** An error of SQLite, with its code (SQLITE_CONSTRAINT_UNIQUE, …) as better-sqlite3 gives it. */
export class SqliteThreadError extends Error {
  readonly code?: string;
  constructor(e: ThreadError) {
    super(e.message);
    this.name = e.name;
    if (e.code) this.code = e.code;
  }
}

/** What every statement is told once the thread is gone: the database is unavailable (a 503, see platform/http.ts). */
export const THREAD_STOPPED = 'ERR_SQLITE_THREAD_STOPPED';
const stoppedError = (why: string) => new SqliteThreadError({ name: 'Error', message: `the SQLite thread stopped (${why})`, code: THREAD_STOPPED });

export class SqliteThread {
  /** The database file (the checkpointer opens it too). */
  readonly name: string;
  /** Resolves once the connection is open and its pragmas set; rejects with why it could not. */
  readonly ready: Promise<void>;
  /** Batches committed so far. */
  commits = 0;
  /** Whether the connection is inside a transaction, as of the last reply (explicit transactions). */
  inTransaction = false;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private nextId = 1;
  private stopped: SqliteThreadError | null = null;
  private readonly exited: Promise<void>;
  private readonly onBatch?: SqliteThreadOptions['onBatch'];

  constructor(opts: SqliteThreadOptions) {
    this.name = opts.path;
    this.onBatch = opts.onBatch;
    this.worker = new Worker(THREAD, { eval: true, workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path: opts.path, pragmas: opts.pragmas ?? [] } });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      this.waiting.set(0, (r) => (r.err ? reject(new SqliteThreadError(r.err)) : resolve()));
    });
    this.ready.catch(() => {}); // the caller awaits it; a later statement is told as well
    this.worker.on('message', (r: Reply) => {
      const settle = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (r.inTransaction !== undefined) this.inTransaction = r.inTransaction;
      if (r.committed) this.commits++;
      // Idle, the thread does not keep the process alive: a tool that never closes the database still exits.
      if (this.waiting.size === 0) this.worker.unref();
      settle?.(r);
    });
    const fail = (why: string) => {
      this.stopped ??= stoppedError(why);
      for (const settle of this.waiting.values()) settle({ id: -1, err: this.stopped });
      this.waiting.clear();
    };
    this.worker.on('error', (e) => fail(e.message));
    this.worker.on('exit', (code) => fail(`exit code ${code}`));
  }

  get open(): boolean {
    return !this.stopped;
  }

  /** Runs the statements in one transaction; each reply says how its statement went, after the commit. */
  async batch(statements: Statement[]): Promise<BatchReply[]> {
    const start = performance.now();
    const r = await this.send({ op: 'batch', statements });
    if (r.err) throw new SqliteThreadError(r.err);
    this.onBatch?.(performance.now() - start, statements.length);
    return r.results!;
  }

  /** One statement, in the transaction the caller began (or on its own). */
  async run(statement: Statement): Promise<Outcome> {
    return this.outcome(await this.send({ op: 'run', statement }))!;
  }

  async exec(sql: string): Promise<void> {
    this.outcome(await this.send({ op: 'exec', sql }));
  }

  /** A pragma set in order with the statements; for the checkpointer, which does not wait for it. */
  pragma(source: string): void {
    this.exec(`pragma ${source}`).catch(() => {});
  }

  /** Ends the thread after what was sent before has been answered; the connection is closed. */
  async close(): Promise<void> {
    if (this.stopped) return;
    await Promise.allSettled([...this.waiting.keys()].filter((id) => id !== 0).map((id) => new Promise<void>((resolve) => this.onReply(id, resolve))));
    this.stopped = stoppedError('the database was closed');
    this.worker.ref();
    this.worker.postMessage({ op: 'close' });
    const kill = setTimeout(() => void this.worker.terminate(), 5000);
    await this.exited;
    clearTimeout(kill);
  }

  private onReply(id: number, then: () => void): void {
    const settle = this.waiting.get(id);
    if (!settle) return then();
    this.waiting.set(id, (r) => {
      settle(r);
      then();
    });
  }

  private outcome(r: Reply): Outcome | null {
    if (r.err) throw new SqliteThreadError(r.err);
    return r.ok ?? null;
  }

  private send(m: Message): Promise<Reply> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.worker.postMessage({ id, ...m });
    return reply;
  }
}

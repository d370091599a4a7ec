/**
 * Finding the real services the integration tests talk to. A test that needs one finds it (the
 * environment variable, then the standard local address) or fails saying how to get it; it never
 * skips silently.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import pg from 'pg';

function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, host, () => done(true));
  });
}

/** A unique suffix for key prefixes, schemas and queue names of one test run. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** REDIS_URL, or the local Redis on 127.0.0.1:6379; throws with instructions when none answers. */
export async function testRedisUrl(): Promise<string> {
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const u = new URL(url);
  if (!(await reachable(u.hostname, Number(u.port || 6379)))) {
    throw new Error(
      `These tests need Redis at ${url} and none answers. Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no (Debian: apt-get install -y redis-server), or set REDIS_URL.`,
    );
  }
  return url;
}

/**
 * TEST_DATABASE_URL / DATABASE_URL, or the local PostgreSQL (database `test`, as `postgres`, then
 * as the current user); throws with instructions when none answers.
 */
export async function testPostgresUrl(): Promise<string> {
  const candidates = [process.env.TEST_DATABASE_URL, process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/test', 'postgres://127.0.0.1:5432/test'].filter(
    (u): u is string => !!u,
  );
  const errors: string[] = [];
  for (const url of candidates) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('select 1');
      return url;
    } catch (e) {
      errors.push(`${url.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message}`);
    } finally {
      await c.end().catch(() => {});
    }
  }
  throw new Error(
    `These tests need PostgreSQL and none answers (${errors.join('; ')}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (Debian: apt-get install -y postgresql), or set TEST_DATABASE_URL.`,
  );
}

/** Drops a PostgreSQL schema made for one test run. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

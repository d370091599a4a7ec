/**
 * PostgreSQL unavailable (issue 11, failure tests), with the real PostgreSQL behind a TCP proxy
 * that the test closes and reopens (the shared server is never touched):
 * - at start-up: the server retries with a clear log line per attempt and starts once it is
 *   reachable; past DATABASE_CONNECT_RETRY_SECONDS it gives up with an error naming where it looked;
 * - mid-run: requests that need the records answer 503 with the error shape, guides, search and
 *   health keep working, /readyz says which dependency is down, and everything recovers.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { DatabaseUnavailableError } from '../../src/records/db.js';
import { createServices, type Services } from '../../src/services.js';
import { sharedLibrary } from '../support/library.js';
import { dropSchema, testPostgresUrl, uniqueName } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

async function proxied(): Promise<{ proxy: TcpProxy; url: string; direct: string }> {
  const direct = await testPostgresUrl();
  const u = new URL(direct);
  const proxy = await TcpProxy.create(u.hostname, Number(u.port || 5432));
  cleanup.push(() => proxy.stop());
  u.host = `127.0.0.1:${proxy.port}`;
  u.password = 'pw-never-logged';
  if (!u.username) u.username = 'postgres';
  return { proxy, url: u.toString(), direct };
}

async function services(url: string, retrySeconds: string, logger = capture().logger): Promise<Services> {
  const schema = uniqueName('pgdown');
  const direct = await testPostgresUrl();
  cleanup.push(() => dropSchema(direct, schema));
  const config = loadConfig({ LOG_LEVEL: 'info', DATABASE_URL: url, DATABASE_CONNECT_RETRY_SECONDS: retrySeconds, RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000' });
  const s = await createServices(config, logger, { library: await sharedLibrary(), databaseSchema: schema });
  cleanup.push(() => s.close());
  return s;
}

const chat = (app: ReturnType<typeof createApp>, message: string, sessionId?: string) =>
  app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sessionId ? { message, sessionId } : { message }) });

describe('PostgreSQL unavailable at start-up', () => {
  it('retries, saying so, and starts once PostgreSQL is reachable', async () => {
    const { proxy, url } = await proxied();
    const { lines, logger } = capture();
    const starting = services(url, '30', logger);
    // Reachable after a while: the first attempts fail.
    await new Promise((r) => setTimeout(r, 1500));
    await proxy.start();
    const s = await starting;
    const text = lines.join('');
    expect(text).toMatch(/database not reachable; retrying/);
    expect(text).toMatch(/database reachable/);
    expect(text).toContain(`127.0.0.1:${proxy.port}`);
    expect(text).not.toContain('pw-never-logged');
    const res = await chat(createApp(s), '身份证丢了怎么补办');
    expect(res.status).toBe(200);
  });

  it('gives up after DATABASE_CONNECT_RETRY_SECONDS with an error that names where it looked, not the password', async () => {
    const { proxy, url } = await proxied();
    const err = await services(url, '1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect((err as Error).message).toContain(`127.0.0.1:${proxy.port}`);
    expect((err as Error).message).toMatch(/not reachable/);
    expect((err as Error).message).not.toContain('pw-never-logged');
  });
});

describe('PostgreSQL unavailable mid-run', () => {
  it('answers 503 with the error shape where the records are needed, keeps the rest working, and recovers', async () => {
    const { proxy, url } = await proxied();
    await proxy.start();
    const s = await services(url, '0');
    const app = createApp(s);
    const first = (await (await chat(app, '身份证丢了怎么补办')).json()) as { sessionId: string };
    expect((await app.request('/readyz')).status).toBe(200);

    await proxy.stop();
    const down = await chat(app, '要多少钱', first.sessionId);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeTruthy();
    const body = (await down.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/稍后再试/);
    expect((await chat(app, '新的会话')).status).toBe(503);
    // What needs no records keeps working.
    expect((await app.request('/api/guides/id-card-renewal')).status).toBe(200);
    expect((await app.request(`/api/search?q=${encodeURIComponent('公积金提取')}`)).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/guides/id-card-renewal')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    const r = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(r.checks.database.ok).toBe(false);
    expect(r.checks.index.ok).toBe(true);

    await proxy.start();
    let back = 0;
    for (let i = 0; i < 40 && back !== 200; i++) {
      back = (await chat(app, '要多少钱', first.sessionId)).status;
      if (back !== 200) await new Promise((res) => setTimeout(res, 250));
    }
    expect(back).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});

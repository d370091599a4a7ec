import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dropSchema, testPostgresUrl, uniqueName } from '../../test/support/services.js';
import { openDatabase } from '../records/db.js';
import { runRecordsCli } from '../records/cli.js';
import { StaffAccounts } from './accounts.js';
import { runStaffCli } from './cli.js';

describe.each(['sqlite', 'postgres'] as const)('npm run staff / npm run records on %s', (dialect) => {
  let dir: string;
  let env: Record<string, string>;
  let cleanup = async () => {};
  let out: string[] = [];
  let err: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govchat-cli-'));
    env = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
    if (dialect === 'postgres') {
      const url = await testPostgresUrl();
      const schema = uniqueName('cli');
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`create schema "${schema}"`);
      await c.end();
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      env.DATABASE_URL = u.toString();
      cleanup = () => dropSchema(url, schema);
    }
  });
  afterAll(async () => {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = async (args: string[]) => {
    out = [];
    err = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    try {
      return await runStaffCli(args, env);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  };
  afterEach(() => vi.restoreAllMocks());

  const withAccounts = async <T>(f: (a: StaffAccounts) => Promise<T>) => {
    const db = await openDatabase({ url: env.DATABASE_URL, sqlitePath: join(dir, 'govchat.sqlite') });
    try {
      return await f(new StaffAccounts(db.db, { secret: 'cli-test-secret-0123456789', tokenTtlHours: 1, lockoutAttempts: 5, lockoutMinutes: 1 }));
    } finally {
      await db.close();
    }
  };

  it('adds an agent with departments and prints a generated password once; it logs in with it', async () => {
    expect(await run(['add', 'Zhang', '--role', 'agent', '--departments', '公安，人社', '--display-name', '张三'])).toBe(0);
    expect(out[0]).toBe('已创建账号 zhang（agent，部门 公安,人社）');
    const password = /初始密码（只显示这一次）: (\S+)/.exec(out[1])![1];
    const r = await withAccounts((a) => a.login('zhang', password));
    expect(r.staff).toMatchObject({ username: 'zhang', role: 'agent', departments: ['公安', '人社'], displayName: '张三' });
    const audit = await withAccounts((a) => a.audit.query({ action: 'staff.create' }));
    expect(audit[0].actor).toMatch(/^cli:/);
    expect(JSON.stringify(audit)).not.toContain(password);
  });

  it('lists, disables, enables and resets; errors exit non-zero with a message', async () => {
    expect(await run(['add', 'boss', '--role', 'admin'])).toBe(0);
    expect(await run(['list'])).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe('boss\tadmin\t（全部部门）\t\t正常\t从未登录');
    expect(out[1]).toMatch(/^zhang\tagent\t公安,人社\t张三\t正常\t\d{4}-\d{2}-\d{2}T/); // logged in by the test above
    expect(await run(['disable', 'zhang'])).toBe(0);
    expect(await withAccounts((a) => a.get('zhang'))).toMatchObject({ disabled: true });
    expect(await run(['enable', 'zhang'])).toBe(0);
    expect(await run(['reset-password', 'zhang'])).toBe(0);
    const password = /新密码（只显示这一次）: (\S+)/.exec(out.join('\n'))![1];
    expect((await withAccounts((a) => a.login('zhang', password))).staff.username).toBe('zhang');
    expect(await run(['update', 'zhang', '--departments', '民政'])).toBe(0);
    expect((await withAccounts((a) => a.get('zhang')))?.departments).toEqual(['民政']);

    expect(await run(['add', 'li', '--role', 'agent'])).toBe(1);
    expect(err[0]).toMatch(/至少要属于一个部门/);
    expect(await run(['add', 'zhang', '--role', 'agent', '--departments', '公安'])).toBe(1);
    expect(err[0]).toMatch(/已存在/);
    expect(await run(['add', 'x', '--role', 'boss'])).toBe(1);
    expect(await run(['disable', 'boss'])).toBe(1);
    expect(err[0]).toMatch(/最后一个/);
    expect(await run(['frobnicate'])).toBe(2);
    expect(await run(['disable'])).toBe(1);
  });

  it('npm run records -- purge deletes by RETENTION_DAYS or --days', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      expect(await runRecordsCli(['purge'], env)).toBe(0);
      expect(await runRecordsCli(['purge', '--days', '30'], { ...env, RETENTION_DAYS: '365' })).toBe(0);
      expect(await runRecordsCli(['purge', '--days', 'x'], env)).toBe(2);
    } finally {
      log.mockRestore();
    }
    expect(lines[0]).toMatch(/^purged records older than 180 days .*0 conversations/);
    expect(lines[1]).toMatch(/^purged records older than 30 days/);
  });
});

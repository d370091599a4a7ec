/**
 * Knowledge-base changes across instances: two instances on one Redis (events) and one DATA_DIR
 * (uploads). An FAQ uploaded to one is answered by the other too, without a restart: the first
 * announces the change and the second rebuilds its own index from the shared folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleState } from '../../src/console/index.js';
import { Library } from '../../src/search/library.js';
import { testApp, type TestApp } from '../support/app.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';

let shared: string;
let redisUrl: string;
const prefix = testPrefix();
const instances: TestApp[] = [];

beforeAll(async () => {
  redisUrl = await testRedisUrl();
  shared = mkdtempSync(join(tmpdir(), 'govchat-shared-'));
  for (let i = 0; i < 2; i++) {
    const t = await testApp({
      env: { DATA_DIR: shared, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, GOVCHAT_SECRET: 'console-instances-secret-0123' },
      // Each instance its own library (its own index), one database between them.
      overrides: { library: await Library.open({ roots: ['knowledge'] }), sqlitePath: join(shared, 'shared.sqlite') },
    });
    instances.push(t);
  }
  await ensureStaff(instances[0].services);
  await Promise.all(instances.map((t) => consoleState(t.services).jobs.listen()));
}, 120_000);
afterAll(async () => {
  for (const t of instances) await t.dispose();
  rmSync(shared, { recursive: true, force: true });
  if (redisUrl) await deletePrefix(redisUrl, prefix);
});

const chat = async (t: TestApp, message: string) => (await t.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) })).json();

describe('knowledge-base uploads across instances', () => {
  it('an FAQ uploaded on one instance is answered by the other once it has rebuilt', async () => {
    const [a, b] = instances;
    const question = '无人机夜间飞行要报备吗';
    expect((await chat(b, question)).type).toBe('no_answer');

    const form = new FormData();
    form.set('file', new File(['问题,答案\n无人机夜间飞行要报备吗,示例市城区夜间飞行无人机需在无人机综合管理平台报备（演示数据）。\n'], '无人机飞行报备.csv'));
    const res = await a.app.request('/api/admin/kb/imports', { method: 'POST', headers: await staffHeaders(a.app, 'admin'), body: form });
    expect(res.status).toBe(202);
    await consoleState(a.services).jobs.idle();
    expect((await chat(a, question)).text).toContain('无人机综合管理平台');

    // The other instance hears of it and rebuilds by itself.
    const other = consoleState(b.services).jobs;
    await expect.poll(() => other.list().find((j) => j.kind === 'rebuild')?.stage, { timeout: 30_000, interval: 100 }).toBe('done');
    expect(other.list()[0].by).toBe('admin（其他实例）');
    const answered = await chat(b, question);
    expect(answered.type).toBe('answer');
    expect(answered.text).toContain('无人机综合管理平台');
    // It does not announce its own rebuild back: the first instance ran one job only.
    expect(consoleState(a.services).jobs.list()).toHaveLength(1);
  }, 90_000);
});

/**
 * The console's server side on the real app (SQLite, the real knowledge base): the page and its
 * assets (login page when logged out, no inline script), 常用语 for agents and admins, the Bull
 * Board mount without Redis, and a FAQ upload that is answered right after, without a restart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../app.js';
import { Library } from '../search/library.js';
import { testApp, type TestApp } from '../../test/support/app.js';
import { ensureStaff, staffHeaders } from '../../test/support/staff.js';

let t: TestApp;
let app: App;
let assets: string;

beforeAll(async () => {
  // A library of its own: uploads change it, and other test files share the persisted one.
  const library = await Library.open({ roots: ['knowledge'] });
  t = await testApp({ overrides: { library } });
  await ensureStaff(t.services);
  assets = mkdtempSync(join(tmpdir(), 'govchat-console-'));
  writeFileSync(join(assets, 'console.js'), 'console.log("console");');
  writeFileSync(join(assets, 'console.css'), 'body{}');
  app = createApp(t.services, { console: { dir: assets } });
}, 60_000);
afterAll(async () => {
  await t?.dispose();
  rmSync(assets, { recursive: true, force: true });
});

const call = async (method: string, path: string, who: Parameters<typeof staffHeaders>[1] | null, body?: unknown) => {
  const headers: Record<string, string> = { ...(who ? await staffHeaders(app, who) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  const res = await app.request(path, { method, headers, body: body !== undefined ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies of several shapes
  try {
    json = JSON.parse(text);
  } catch {
    /* HTML */
  }
  return { status: res.status, json, text, headers: res.headers };
};

describe('the console page', () => {
  it('is the login page when logged out and the app once logged in (by the cookie), with no inline script', async () => {
    const out = await call('GET', '/console/', null);
    expect(out.status).toBe(200);
    expect(out.text).toContain('data-page="login"');
    expect(out.headers.get('cache-control')).toBe('no-store');
    const scripts = [...out.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    expect(scripts[0][1]).toMatch(/src="\/console\/assets\/console\.js\?v=[\w-]+"/);
    expect(scripts[0][2]).toBe('');

    const login = await app.request('/api/staff/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'wang', password: 'test-police-password-1' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const inside = await app.request('/console/', { headers: { cookie } });
    expect(await inside.text()).toContain('data-page="app"');
    expect((await app.request('/console')).headers.get('location')).toBe('/console/');
  });

  it('serves the two bundle files, gzipped when asked, and nothing else', async () => {
    const js = await app.request('/console/assets/console.js?v=1', { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('cache-control')).toContain('immutable');
    const again = await app.request('/console/assets/console.js', { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await app.request('/console/assets/console.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const other = await app.request('/console/assets/..%2F..%2Fpackage.json');
    expect(other.status).toBe(404);
  });

  it('says it is not built (503) instead of failing when dist/console is missing', async () => {
    const bare = createApp(t.services, { console: { dir: join(assets, 'nowhere') } });
    const res = await bare.request('/console/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('常用语', () => {
  it('admins add, change and remove them; agents read their own departments’ only', async () => {
    const made = await call('POST', '/api/admin/canned-replies', 'admin', { department: '公安', title: '问候', text: '您好，我是公安窗口工作人员，请问有什么可以帮您？' });
    expect(made.status).toBe(201);
    const id = made.json.item.id;
    expect(made.json.item).toMatchObject({ department: '公安', title: '问候', updatedBy: 'admin' });
    await call('POST', '/api/admin/canned-replies', 'admin', { department: '人社', text: '社保问题请拨打 12333。' });

    const police = await call('GET', '/api/staff/canned-replies', 'police');
    expect(police.json.items.map((i: { department: string }) => i.department)).toEqual(['公安']);
    expect((await call('GET', `/api/staff/canned-replies?department=${encodeURIComponent('人社')}`, 'police')).status).toBe(403);
    expect((await call('GET', '/api/staff/canned-replies', 'admin')).json.items).toHaveLength(2);

    expect((await call('POST', '/api/admin/canned-replies', 'police', { department: '公安', text: '自己加一条' })).status).toBe(403);
    expect((await call('POST', '/api/admin/canned-replies', 'admin', { department: '公安', text: '   ' })).status).toBe(400);

    const changed = await call('PATCH', `/api/admin/canned-replies/${id}`, 'admin', { text: '您好，请问您要办理什么业务？' });
    expect(changed.json.item.text).toBe('您好，请问您要办理什么业务？');
    expect((await call('DELETE', `/api/admin/canned-replies/${id}`, 'admin')).status).toBe(200);
    expect((await call('DELETE', `/api/admin/canned-replies/${id}`, 'admin')).status).toBe(404);
    expect((await call('GET', '/api/staff/canned-replies', 'police')).json.items).toEqual([]);

    const audit = await t.services.staff.audit.query({ action: 'canned.', limit: 10 });
    expect(audit.map((a) => a.action).sort()).toEqual(['canned.create', 'canned.create', 'canned.delete', 'canned.update']);
  });
});

describe('queue monitoring (Bull Board)', () => {
  it('without Redis, admins get a page saying it is not configured; agents are refused; logged-out visitors go to the login', async () => {
    const page = await call('GET', '/console/queues', 'admin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('队列监控未配置');
    expect(page.text).toContain('REDIS_URL');
    expect((await call('GET', '/console/queues', 'police')).status).toBe(403);
    const anon = await app.request('/console/queues');
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toBe('/console/');
  });
});

async function faqXlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('FAQ');
  ws.addRow(['问题', '答案', '事项编码']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function upload(name: string, data: Buffer, who: 'admin' | 'police' = 'admin') {
  const form = new FormData();
  form.set('file', new File([new Uint8Array(data)], name));
  const res = await app.request('/api/admin/kb/imports', { method: 'POST', headers: await staffHeaders(app, who), body: form });
  return { status: res.status, json: await res.json() };
}

async function finished(id: string) {
  for (let i = 0; i < 600; i++) {
    const { json } = await call('GET', `/api/admin/kb/jobs/${id}`, 'admin');
    if (json.job.stage === 'done' || json.job.stage === 'failed') return json.job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

describe('knowledge-base uploads and rebuilds', () => {
  const question = '无人机夜间飞行要报备吗';
  const answer = '示例市城区夜间试飞无人机，需提前一个工作日在示例市无人机综合管理平台报备（演示数据）。';

  it('an FAQ XLSX is imported (rejected rows with reasons), the index swapped, and its answer served without a restart', async () => {
    const before = await call('POST', '/api/chat', null, { message: question });
    expect(before.json.text).not.toContain('无人机综合管理平台');
    const guidesBefore = (await call('GET', '/api/admin/kb', 'admin')).json;

    const r = await upload('无人机飞行报备.xlsx', await faqXlsx([[question, answer, ''], ['只有问题没有答案', '', ''], ['护照怎么办', '请看指南', 'no-such-guide']]));
    expect(r.status).toBe(202);
    expect(r.json.job).toMatchObject({ kind: 'import', format: 'faq', file: '无人机飞行报备.xlsx' });
    // One job at a time.
    expect((await call('POST', '/api/admin/kb/rebuild', 'admin')).status).toBe(409);

    const job = await finished(r.json.job.id);
    expect(job.error).toBeNull();
    expect(job.stage).toBe('done');
    expect(job.progress).toBe(1);
    expect(job.report.imported).toBe(1);
    expect(job.report.rejected.map((x: { line: number }) => x.line)).toEqual([3, 4]);
    expect(job.report.rejected[1].reason).toContain('no-such-guide');
    expect(job.report.rejectedTotal).toBe(2);
    expect(job.index.faqs).toBe(guidesBefore.faqs + 1);

    const after = await call('POST', '/api/chat', null, { message: question });
    expect(after.json.type).toBe('answer');
    expect(after.json.text).toContain('无人机综合管理平台');
    const kb = (await call('GET', '/api/admin/kb', 'admin')).json;
    expect(kb.faqs).toBe(guidesBefore.faqs + 1);
    expect(kb.jobs[0].id).toBe(job.id);
    expect((await t.services.staff.audit.query({ action: 'kb.import', limit: 1 }))[0].details).toMatchObject({ format: 'faq', file: '无人机飞行报备.xlsx' });
  }, 60_000);

  it('a gdzwfw export is imported line by line with its rejects, and a rebuild keeps it', async () => {
    const good = JSON.stringify({ TASK_CODE: 'not-a-record' });
    const r = await upload('export.jsonl', Buffer.from(`${good}\nnot json\n`));
    expect(r.status).toBe(202);
    const job = await finished(r.json.job.id);
    expect(job.stage).toBe('done');
    expect(job.report.rejected.map((x: { line: number }) => x.line)).toEqual([1, 2]);
    expect(job.report.rejected[1].reason).toContain('not valid JSON');

    const rebuild = await call('POST', '/api/admin/kb/rebuild', 'admin');
    expect(rebuild.status).toBe(202);
    const done = await finished(rebuild.json.job.id);
    expect(done.kind).toBe('rebuild');
    expect(done.index.chunks).toBeGreaterThan(0);
    expect((await call('POST', '/api/chat', null, { message: question })).json.text).toContain('无人机综合管理平台');
  }, 60_000);

  it('a file that cannot be read fails its job with the reason, and the next job may start', async () => {
    const r = await upload('broken.xlsx', Buffer.from('this is not a spreadsheet'));
    expect(r.status).toBe(202);
    const job = await finished(r.json.job.id);
    expect(job.stage).toBe('failed');
    expect(job.error).toBeTruthy();
    const next = await call('POST', '/api/admin/kb/rebuild', 'admin');
    expect(next.status).toBe(202);
    expect((await finished(next.json.job.id)).stage).toBe('done');
  }, 60_000);

  it('refuses agents, empty files and FAQ tables that are not .csv/.xlsx', async () => {
    expect((await upload('a.xlsx', Buffer.from('x'), 'police')).status).toBe(403);
    expect((await upload('empty.jsonl', Buffer.alloc(0))).json.error.code).toBe('bad_request');
    const form = new FormData();
    form.set('file', new File(['q,a'], 'faq.txt'));
    form.set('format', 'faq');
    const res = await app.request('/api/admin/kb/imports', { method: 'POST', headers: await staffHeaders(app, 'admin'), body: form });
    expect(res.status).toBe(400);
    const none = await app.request('/api/admin/kb/imports', { method: 'POST', headers: await staffHeaders(app, 'admin'), body: new FormData() });
    expect(none.status).toBe(400);
    expect((await none.json()).error.code).toBeTruthy();
  });

  it('the new routes are in the OpenAPI document', async () => {
    const doc = (await call('GET', '/openapi.json', null)).json;
    for (const p of ['/api/admin/kb', '/api/admin/kb/imports', '/api/admin/kb/rebuild', '/api/admin/kb/jobs/{id}', '/api/staff/canned-replies', '/api/admin/canned-replies', '/api/admin/canned-replies/{id}']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/api/admin/kb/imports'].post.requestBody.content['multipart/form-data']).toBeDefined();
  });
});

/**
 * The staff console and admin dashboard in a real Chromium, against the real app on a socket with
 * the handoff on the real Redis: an agent logs in, sees the conversation a citizen (the widget in
 * a second page) put in the queue, live, with the chime and the title badge; claims it, sees the
 * evidence, replies, and the citizen's widget shows the reply; closes, and the citizen rates. Two
 * agents claim at once: one wins, the other is told. An agent of another department does not see
 * it. An admin uploads a FAQ XLSX and the new answer is served without a restart. Screenshots of
 * the queue, a conversation and the dashboard go to test/browser/screenshots/ (the README shows
 * copies of two, in test/browser/readme/, so a test run changes no tracked file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../scripts/console-build.mjs';
import { Library } from '../../src/search/library.js';
import { STAFF, staffPassword, staffRequest, type StaffKey } from '../support/staff.js';
import { AXE, ask, axeAudit, blocking, SCREENSHOTS, startDemo, type DemoHarness } from './support.js';

let h: DemoHarness;
/** Every change the console sent, to check the CSRF header on each. */
const changes: Request[] = [];

beforeAll(async () => {
  // A library of its own: the upload below rebuilds it, and other test files share the persisted one.
  const [library] = await Promise.all([Library.open({ roots: ['knowledge'] }), buildConsole()]);
  h = await startDemo({ redis: true, staff: true, overrides: { library } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** The policy the hardening branch sets (common brief): same-origin scripts only, no inline script, no eval. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'";
const cspViolations: string[] = [];

async function consolePage(who: StaffKey): Promise<Page> {
  const page = await h.newPage();
  // Served under that policy, and any violation reported back.
  const context = page.context();
  await context.route((u) => u.pathname === '/console/' || u.pathname === '/console/queues', async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': CSP } });
  });
  await context.exposeFunction('reportCsp', (v: string) => cspViolations.push(`${new URL(page.url()).pathname} ${v}`));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportCsp(v: string): void }).reportCsp(`${e.violatedDirective} ${e.blockedURI}`)));
  page.on('request', (r) => {
    if (r.method() !== 'GET' && new URL(r.url()).pathname.startsWith('/api/')) changes.push(r);
  });
  await page.goto(`${h.srv.origin}/console/`);
  await page.locator('#login-username').fill(STAFF[who].username);
  await page.locator('#login-password').fill(staffPassword(who));
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('header.top').waitFor();
  await page.locator('.live-status', { hasText: '实时' }).waitFor();
  return page;
}

const staffApi = (who: StaffKey, method: string, path: string, body?: unknown) => staffRequest(h.srv.origin, who, method, path, body);

const sessionOf = (page: Page) => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))?.[1] ?? null);

/** A citizen in the widget who asked about a 公安 service, then for a person. */
async function citizenWaiting(): Promise<{ page: Page; conversationId: string }> {
  const page = await h.openDemo(await h.newPage());
  await page.locator('govchat-assistant .launcher').click();
  await ask(page, '身份证丢了怎么补办');
  const reply = await ask(page, '转人工');
  expect(await reply.getAttribute('data-type')).toBe('handoff');
  const conversationId = (await h.t.services.records.conversationBySession((await sessionOf(page))!))!.id;
  return { page, conversationId };
}

/** A conversation put in the 公安 queue through the chat API. */
const chat = async (body: unknown) => (await fetch(`${h.srv.origin}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

async function waitingSession(question = '身份证丢了怎么补办'): Promise<{ id: string; sessionId: string }> {
  const first = await chat({ message: question });
  await chat({ sessionId: first.sessionId, message: '转人工' });
  return { id: (await h.t.services.records.conversationBySession(first.sessionId))!.id, sessionId: first.sessionId };
}
const waitingByApi = async (question?: string) => (await waitingSession(question)).id;

/** axe-core on the whole console page: nothing that blocks a member of staff (serious or critical). */
async function noBlockingAxe(page: Page, state: string): Promise<void> {
  // Evaluated through the debugger protocol: a <script> tag would be inline, which the CSP refuses.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const r = await axeAudit(page, ['body']);
  console.log(`axe, console ${state}: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
  expect(blocking(r.violations), JSON.stringify(blocking(r.violations).map((v) => [v.id, v.nodes.slice(0, 3).map((n) => n.target)]))).toEqual([]);
}

const queued = (page: Page, id: string) => page.locator(`.queue-item[data-conversation="${id}"]`);

describe('staff console', () => {
  it('an agent sees a citizen’s conversation arrive live, claims it, sees the evidence, replies to the widget, closes, and the citizen rates', async () => {
    const canned = await staffApi('admin', 'POST', '/api/admin/canned-replies', { department: '公安', title: '补领须知', text: '身份证补领请带户口簿。' });
    expect(canned.status).toBe(201);
    const agent = await consolePage('police');
    const other = await consolePage('hr');
    expect(await agent.title()).toBe('政务服务工作台');
    expect(Number((await agent.evaluate(() => document.body.dataset.chimes)) ?? 0)).toBe(0);

    const { page: citizen, conversationId } = await citizenWaiting();
    // Live: no reload, the SSE event brings it, with a chime and a count in the title.
    const item = queued(agent, conversationId);
    await item.waitFor();
    expect(await item.locator('.dept').textContent()).toBe('公安');
    expect(await item.locator('.reason').textContent()).toBe('要求转人工');
    expect(await item.locator('.qi-wait').textContent()).toMatch(/已等待\d+ (秒|分)/);
    await expect.poll(() => agent.evaluate(() => Number(document.body.dataset.chimes ?? 0))).toBeGreaterThanOrEqual(1);
    expect(await agent.title()).toMatch(/^\(\d+\) 新会话 · 政务服务工作台$/);
    await agent.screenshot({ path: join(SCREENSHOTS, 'console-queue.png') });
    await noBlockingAxe(agent, 'queue');

    // 人社 does not see a 公安 conversation, live or on reload, nor may it open it.
    await other.reload();
    await other.locator('.queue-list').waitFor();
    await other.waitForTimeout(300);
    expect(await queued(other, conversationId).count()).toBe(0);
    expect((await staffApi('hr', 'GET', `/api/staff/conversations/${conversationId}`)).status).toBe(403);

    await item.getByRole('button', { name: '接入' }).click();
    const conv = agent.locator(`.conv-view[data-conversation="${conversationId}"]`);
    await conv.waitFor();
    await expect.poll(() => agent.url()).toContain(`#c/${conversationId}`);
    // The transcript, with the guide sections the bot's answer rested on beside it.
    await conv.locator('.tm-citizen', { hasText: '身份证丢了怎么补办' }).waitFor();
    const evidence = conv.locator('.tm-bot .evidence').first();
    await evidence.waitFor();
    expect(await evidence.textContent()).toContain('居民身份证');
    await citizen.locator('.msg.system', { hasText: '已为您接通人工服务' }).waitFor();

    // The citizen writes: it reaches the console live.
    await citizen.locator('#gc-input').fill('我在外地，能在这里补办吗');
    await citizen.locator('#gc-input').press('Enter');
    await conv.locator('.tm-citizen', { hasText: '我在外地，能在这里补办吗' }).waitFor();

    // 常用语 of the department go into the reply box with a click.
    await conv.getByRole('button', { name: '补领须知' }).click();
    expect(await conv.getByLabel('回复内容').inputValue()).toBe('身份证补领请带户口簿。');
    const text = '可以的，身份证补领全国通办，请带上户口簿到任一派出所。';
    await conv.getByLabel('回复内容').fill(text);
    await conv.getByRole('button', { name: '发送' }).click();
    await conv.locator('.tm-staff', { hasText: text }).waitFor();
    const shown = citizen.locator('.msg.staff').last();
    await shown.waitFor();
    expect(await shown.locator('.bubble').textContent()).toBe(text);
    await evidence.scrollIntoViewIfNeeded();
    await agent.screenshot({ path: join(SCREENSHOTS, 'console-conversation.png') });
    await noBlockingAxe(agent, 'conversation');

    // Close (asks once more), and the citizen is asked for a rating and gives one.
    await conv.getByRole('button', { name: '结束会话' }).click();
    await conv.getByRole('button', { name: '确认结束？' }).click();
    await conv.locator('.notice', { hasText: '会话已结束' }).waitFor();
    const card = citizen.locator('.rating-card').last();
    await card.waitFor();
    await card.getByRole('radio', { name: '满意', exact: true }).check();
    await card.getByRole('button', { name: '提交评价' }).click();
    await card.locator('.status', { hasText: '感谢您的评价：满意。' }).waitFor();
    const rows = await h.t.services.database.db.selectFrom('ratings').select(['level']).where('conversation_id', '=', conversationId).execute();
    expect(rows.map((r) => Number(r.level))).toEqual([4]);

    // The conversation stays open as a tab until the agent closes it.
    expect(await agent.locator(`.tab[data-tab="${conversationId}"]`).count()).toBe(1);
    expect(h.errors).toEqual([]);
    await Promise.all([agent.context().close(), other.context().close(), citizen.context().close()]);
  }, 90_000);

  it('two agents claim the same conversation at once: one wins, the other is told', async () => {
    const [a, b] = await Promise.all([consolePage('police'), consolePage('police2')]);
    const id = await waitingByApi('我父亲85岁了，腿脚不便，他的身份证丢了怎么补办');
    await Promise.all([queued(a, id).waitFor(), queued(b, id).waitFor()]);
    // Served sooner, and marked so.
    expect(await queued(a, id).locator('.mark').allTextContents()).toEqual(['老年人优先', '残障人士优先']);
    expect(await queued(a, id).getAttribute('class')).toContain('urgent');
    // Both click at once (no waiting for the other's claim to reach their queue first).
    const click = (p: Page) => p.evaluate((cid) => document.querySelector<HTMLButtonElement>(`[data-claim="${cid}"]`)!.click(), id);
    await Promise.all([click(a), click(b)]);
    const opened = async (p: Page) => (await p.locator(`.conv-view[data-conversation="${id}"]`).count()) > 0;
    await expect.poll(async () => (await opened(a)) !== (await opened(b)), { timeout: 10_000 }).toBe(true);
    const loser = (await opened(a)) ? b : a;
    const told = loser.locator('.queue-view .notice.error');
    await told.waitFor();
    expect(await told.textContent()).toContain('已被其他工作人员接入');
    const holder = (await h.t.services.records.getConversation(id))!.assigned_to;
    const winner = loser === a ? 'li' : 'wang';
    expect(holder).toBe((await h.t.services.staff.accounts.get(winner))!.id);
    await Promise.all([a.context().close(), b.context().close()]);
  }, 60_000);

  it('an agent answers a 差评 follow-up of the department, and the answer reaches the citizen’s conversation', async () => {
    const { randomBytes } = await import('node:crypto');
    const services = h.t.services;
    const sessionId = randomBytes(18).toString('base64url');
    const c = await services.records.openConversation(sessionId, 'web');
    await services.records.updateConversation(c.id, { department: '公安' });
    await services.records.addMessage({ conversationId: c.id, role: 'citizen', text: '临时身份证要多久' });
    await services.records.addMessage({ conversationId: c.id, role: 'bot', type: 'answer', text: '请到派出所办理……' });
    const f = (await services.ratings.rate({ sessionId, level: 1, comment: '没有说多久' })).followup!;

    const agent = await consolePage('police');
    await agent.getByRole('link', { name: '差评回访' }).click();
    const card = agent.locator(`.followup[data-followup="${f.id}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('1 星 · 非常不满意');
    expect(await card.textContent()).toContain('没有说多久');
    expect(await card.textContent()).toMatch(/办结期限 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await card.getByLabel('核查和处理情况').fill('已电话联系群众，补充了办理时限。');
    await card.getByRole('button', { name: '保存' }).click();
    await card.locator('.notice.ok', { hasText: '已保存' }).waitFor();
    await card.getByLabel('答复群众').fill('临时居民身份证当场受理，3 个工作日内可领取（示例市）。');
    await card.getByRole('button', { name: '办结并答复' }).click();
    await card.waitFor({ state: 'detached' });
    const messages = await services.records.listMessages(c.id);
    expect(messages.at(-1)!.text).toContain('3 个工作日内可领取');
    await agent.context().close();
  }, 60_000);

  it('several conversations stay open in tabs, each with its unsent reply, and the layout fits a tablet', async () => {
    const agent = await consolePage('police');
    await agent.setViewportSize({ width: 820, height: 1180 });
    const one = await waitingByApi();
    const { id: two, sessionId: twoSession } = await waitingSession();
    for (const id of [one, two]) {
      await agent.getByRole('link', { name: /^排队/ }).click();
      await queued(agent, id).getByRole('button', { name: '接入' }).click();
      await agent.locator(`.conv-view[data-conversation="${id}"]`).waitFor();
    }
    const view = (id: string) => agent.locator(`.conv-view[data-conversation="${id}"]`);
    await view(two).getByLabel('回复内容').fill('第二个会话的草稿');
    await agent.locator(`.tab[data-tab="${one}"]`).click();
    expect(await view(two).isHidden()).toBe(true);
    // The citizen of the tab behind writes: its tab is marked until opened.
    await chat({ sessionId: twoSession, message: '还在吗' });
    await agent.locator(`.tab.unread[data-tab="${two}"]`).waitFor();
    await view(one).getByLabel('回复内容').fill('第一个会话的草稿');
    await agent.locator(`.tab[data-tab="${two}"]`).click();
    expect(await view(two).getByLabel('回复内容').inputValue()).toBe('第二个会话的草稿');
    expect(await agent.locator(`.tab.unread[data-tab="${two}"]`).count()).toBe(0);
    await view(two).locator('.tm-citizen', { hasText: '还在吗' }).waitFor();
    // No sideways scrolling on a tablet, in a conversation and in the queue.
    const overflow = () => agent.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await agent.getByRole('link', { name: /^排队/ }).click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Closing a tab leaves the conversation held; it can be opened again from its address.
    await agent.locator(`.tab[data-tab="${one}"]`).click();
    await view(one).getByRole('button', { name: '关闭标签' }).click();
    expect(await agent.locator(`.tab[data-tab="${one}"]`).count()).toBe(0);
    await agent.goto(`${h.srv.origin}/console/#c/${one}`);
    await view(one).locator('.tm-citizen', { hasText: '转人工' }).waitFor();

    // 转办 with a note: it leaves 公安 for 人社's queue, the note with it.
    await view(one).getByLabel('转办到部门').selectOption('人社');
    await view(one).getByLabel('转办备注').fill('群众问的是社保卡');
    await view(one).getByRole('button', { name: '转办' }).click();
    await view(one).locator('.conv-msg .notice').waitFor();
    expect(await view(one).locator('.conv-msg .notice').textContent()).toBe('已转办到 人社');
    const hrQueue = await staffApi('hr', 'GET', '/api/staff/queue');
    expect(hrQueue.body.items.map((i: { conversationId: string }) => i.conversationId)).toContain(one);
    expect((await staffApi('hr', 'GET', `/api/staff/conversations/${one}`)).body.handoff.note).toContain('公安 → 人社：群众问的是社保卡');
    await agent.context().close();
  }, 60_000);

  it('the citizen’s form draft is beside the transcript, with the form’s title', async () => {
    const post = async (body: unknown) => (await fetch(`${h.srv.origin}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const first = await post({ message: '我要办居住证' });
    expect(first.type).toBe('form');
    await post({ sessionId: first.sessionId, message: '转人工' });
    const id = (await h.t.services.records.conversationBySession(first.sessionId))!.id;
    const agent = await consolePage('police');
    await queued(agent, id).getByRole('button', { name: '接入' }).click();
    const side = agent.locator(`.conv-view[data-conversation="${id}"] .conv-side`);
    await side.locator('.draft').waitFor();
    expect(await side.locator('.draft h4').textContent()).toBe(`${first.form.title}（草稿）`);
    await agent.context().close();
  }, 60_000);
});

async function faqXlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('常见问题');
  ws.addRow(['问题', '答案', '事项编码']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('admin dashboard', () => {
  it('an admin uploads a FAQ XLSX, watches it import and index, and the new answer is served without a restart', async () => {
    const question = '无人机夜间飞行要报备吗';
    const answer = '示例市城区夜间飞行无人机，需提前一个工作日在示例市无人机综合管理平台报备（演示数据）。';
    const unknown = '城区过年可以燃放烟花爆竹吗';
    const citizen = await h.openDemo(await h.newPage());
    await citizen.locator('govchat-assistant .launcher').click();
    expect(await (await ask(citizen, question)).getAttribute('data-type')).toBe('no_answer');
    expect(await (await ask(citizen, unknown)).getAttribute('data-type')).toBe('no_answer');

    const admin = await consolePage('admin');
    await admin.getByRole('link', { name: '知识库' }).click();
    await admin.locator('.kb .kpi').first().waitFor();
    await admin.locator('#kb-file').setInputFiles({ name: '无人机飞行报备.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await faqXlsx([[question, answer, ''], ['没有答案的问题', '', '']]) });
    await admin.getByRole('button', { name: '上传并导入' }).click();
    const job = admin.locator('.job[data-stage]');
    await job.waitFor({ timeout: 30_000 });
    expect(await job.getAttribute('data-stage')).toBe('done');
    expect(await admin.locator('.job progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
    expect(await job.locator('.notice.ok').textContent()).toContain('导入 1 条，拒绝 1 条');
    expect(await job.locator('.rejected td').first().textContent()).toBe('3');

    const reply = await ask(citizen, question);
    expect(await reply.getAttribute('data-type')).toBe('answer');
    expect(await reply.textContent()).toContain('无人机综合管理平台');

    // A guide as citizens see it, inside the dashboard.
    await admin.locator('#kb-search').fill('护照');
    await admin.locator('.guide-list li[data-guide="passport"] button').click();
    await admin.frameLocator('.guide-preview iframe').locator('h1', { hasText: '普通护照' }).waitFor();

    // An unanswered question, drafted into an FAQ entry from its group, is answered next time.
    await admin.getByRole('link', { name: '未解答问题' }).click();
    const group = admin.locator('.group', { hasText: unknown });
    await group.waitFor();
    await group.getByRole('button', { name: '起草常见问题' }).click();
    expect(await group.getByLabel('问题').inputValue()).toBe(unknown);
    await group.getByLabel('答案').fill('示例市城区全年禁止燃放烟花爆竹，违者由公安机关依法处罚（演示数据）。');
    await group.getByRole('button', { name: '导入知识库' }).click();
    await group.locator('.job[data-stage="done"]').waitFor({ timeout: 30_000 });
    expect(await group.locator('.job .notice.ok').textContent()).toContain('导入 1 条，拒绝 0 条');
    const drafted = await ask(citizen, unknown);
    expect(await drafted.getAttribute('data-type')).toBe('answer');
    expect(await drafted.textContent()).toContain('全年禁止燃放烟花爆竹');
    await citizen.context().close();

    // The charts, over what these tests did.
    await admin.getByRole('link', { name: '数据看板' }).click();
    await admin.waitForFunction(() => !!document.querySelector<HTMLElement>('.dashboard')?.dataset.loaded);
    expect(await admin.locator('.dashboard canvas').count()).toBeGreaterThanOrEqual(6);
    expect(Number((await admin.locator('.kpi', { hasText: '会话' }).first().locator('strong').textContent()) ?? 0)).toBeGreaterThanOrEqual(1);
    await admin.waitForTimeout(800); // echarts' entry animation
    await admin.screenshot({ path: join(SCREENSHOTS, 'console-dashboard.png'), fullPage: true });
    await noBlockingAxe(admin, 'dashboard');

    // Bull Board for admins, with Redis configured.
    const board = await admin.context().newPage();
    const res = await board.goto(`${h.srv.origin}/console/queues`);
    expect(res!.status()).toBe(200);
    expect(await board.content()).toContain('__UI_CONFIG__');
    // Its own scripts load from the mount and list the departments' handoff queues.
    await board.getByText('handoff.公安').first().waitFor({ timeout: 15_000 });
    await admin.context().close();
  }, 120_000);

  it('an admin adds an account (the password shown once), changes its departments, disables it, and finds it all in the audit log', async () => {
    const admin = await consolePage('admin');
    await admin.getByRole('link', { name: '账号管理' }).click();
    const form = admin.locator('form.add-account');
    await form.getByLabel('用户名').fill('sun');
    await form.getByLabel('姓名').fill('孙科员');
    await form.getByLabel('部门').fill('医保');
    await form.getByRole('button', { name: '添加账号' }).click();
    const told = admin.locator('.notice.ok', { hasText: '已添加 sun' });
    await told.waitFor();
    const password = /初始密码：(\S+)（/.exec((await told.textContent())!)![1];
    const login = await fetch(`${h.srv.origin}/api/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sun', password }) });
    expect(login.status).toBe(200);

    const row = admin.locator('tr[data-username="sun"]');
    await row.getByLabel('sun 的部门').fill('医保、人社');
    await row.getByRole('button', { name: '保存部门' }).click();
    await admin.locator('.notice.ok', { hasText: 'sun 的部门已更新' }).waitFor();
    expect((await h.t.services.staff.accounts.get('sun'))!.departments).toEqual(['医保', '人社']);
    await admin.locator('tr[data-username="sun"]').getByRole('button', { name: '禁用' }).click();
    await admin.locator('tr[data-username="sun"] td', { hasText: '已禁用' }).waitFor();

    await admin.locator('tr[data-username="sun"]').getByRole('button', { name: '重置密码' }).click();
    const reset = admin.locator('.notice.ok', { hasText: 'sun 的新密码' });
    await reset.waitFor();
    const fresh = /新密码：(\S+)（/.exec((await reset.textContent())!)![1];
    expect(fresh).not.toBe(password);

    // 常用语 are added per department for the agents.
    await admin.getByRole('link', { name: '常用语' }).click();
    const add = admin.locator('form.canned-add');
    await add.getByLabel('部门').selectOption('医保');
    await add.getByLabel('标题').fill('异地就医');
    await add.getByLabel('内容').fill('异地就医备案可在国家医保服务平台 App 办理。');
    await add.getByRole('button', { name: '添加' }).click();
    await admin.locator('.notice.ok', { hasText: '已添加' }).waitFor();
    expect(await admin.locator('.canned-dept', { hasText: '医保' }).getByLabel('标题').inputValue()).toBe('异地就医');
    const canned = await staffApi('admin', 'GET', `/api/staff/canned-replies?department=${encodeURIComponent('医保')}`);
    expect(canned.body.items.map((c: { text: string }) => c.text)).toEqual(['异地就医备案可在国家医保服务平台 App 办理。']);

    await admin.getByRole('link', { name: '审计日志' }).click();
    await admin.getByLabel('操作', { exact: true }).fill('staff.');
    await admin.getByRole('button', { name: '筛选' }).click();
    await admin.locator('.audit tbody tr', { hasText: 'staff.create' }).first().waitFor();
    const actions = await admin.locator('.audit tbody tr td:nth-child(3)').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['staff.create', 'staff.update', 'staff.disable', 'staff.reset_password']));
    expect(actions.every((a) => a.startsWith('staff.'))).toBe(true);
    await admin.context().close();
  }, 60_000);

  it('nothing in the console broke the content security policy', () => {
    expect(cspViolations).toEqual([]);
  });

  it('every change the console sent carried the CSRF header', () => {
    expect(changes.length).toBeGreaterThan(2);
    for (const r of changes) expect(r.headers()['x-requested-with'], r.url()).toBe('govchat');
  });
});

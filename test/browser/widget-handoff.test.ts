/**
 * 转人工 in the widget, in a real Chromium against the real app with the handoff on the real
 * Redis (a key prefix of its own): the queue place and wait, a member of staff (a real login)
 * claiming and replying through the staff API with the reply appearing live, the state restored
 * from GET /api/sessions/:id/messages after a reload, 取消排队, and axe audits of the waiting
 * and staff states in both modes. Screenshots go to test/browser/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffRequest, type StaffKey } from '../support/staff.js';
import { ask, axeAudit, blocking, focused, screenshot, startDemo, type DemoHarness } from './support.js';

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemo({ redis: true, staff: true });
});
afterAll(async () => {
  await h?.close();
});

const staff = (who: StaffKey, method: string, path: string, body?: unknown) => staffRequest(h.srv.origin, who, method, path, body);

const sessionOf = (page: Page) => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))?.[1] ?? null);
const conversationOf = async (page: Page) => (await h.t.services.records.conversationBySession((await sessionOf(page))!))!;
const bar = (page: Page) => page.locator('.handoff');
const live = (page: Page) => page.locator('[aria-live="polite"]');

/** A citizen who asked about a 公安 service, then for a person; returns the conversation id. */
async function waiting(page: Page): Promise<string> {
  await page.locator('govchat-assistant .launcher').click();
  await ask(page, '身份证丢了怎么补办');
  const reply = await ask(page, '转人工');
  expect(await reply.getAttribute('data-type')).toBe('handoff');
  await bar(page).waitFor({ state: 'visible' });
  return (await conversationOf(page)).id;
}

const audit = async (page: Page, state: string, results: string[]) => {
  const r = await axeAudit(page);
  results.push(`${state}: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
  expect(blocking(r.violations), state).toEqual([]);
};

describe('转人工', () => {
  it('shows 正在为您转接人工 with the place and wait, then the staff member’s replies as they are sent', async () => {
    const page = await h.openDemo();
    const conversationId = await waiting(page);
    const waitingText = await bar(page).textContent();
    expect(waitingText).toContain('正在为您转接人工（公安）');
    expect(waitingText).toMatch(/(您是下一位|您前面还有 \d+ 位)，预计等待约 \d+ 分钟/);
    expect(await bar(page).getByRole('button', { name: '取消排队' }).isVisible()).toBe(true);
    const results: string[] = [];
    await audit(page, 'waiting', results);
    await screenshot(page, 'handoff-waiting');

    // Staff see it in their queue, claim it and reply; the widget shows each step live.
    const queue = await staff('police', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
    expect(queue.body.items.map((i: { conversationId: string }) => i.conversationId)).toContain(conversationId);
    expect((await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`)).status).toBe(200);
    await expect.poll(() => bar(page).textContent()).toBe('人工服务中：工作人员正在为您服务');
    await page.locator('.msg.system', { hasText: '已为您接通人工服务' }).waitFor();

    const text = '您好，外地丢失也可以在本市任一派出所补领，请带上户口簿。';
    expect((await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text })).status).toBe(201);
    const reply = page.locator('.msg.staff').last();
    await reply.waitFor();
    expect(await reply.locator('.bubble').textContent()).toBe(text);
    expect(await reply.locator('.who').textContent()).toBe('人工服务 · 王警官');
    await expect.poll(() => live(page).textContent()).toBe(`工作人员（王警官）：${text}`);

    // The citizen writes back: it goes to staff, and the bot stays silent.
    const before = await page.locator('.msg.bot').count();
    await page.locator('#gc-input').fill('我的户口簿在老家，怎么办');
    await page.locator('#gc-input').press('Enter');
    await expect.poll(async () => (await staff('police', 'GET', `/api/staff/conversations/${conversationId}`)).body.messages.at(-1)).toMatchObject({
      role: 'citizen',
      text: '我的户口簿在老家，怎么办',
    });
    await expect.poll(() => page.locator('.msg.bot.streaming').count()).toBe(0);
    expect(await page.locator('.msg.bot').count()).toBe(before);
    expect(await focused(page)).toMatchObject({ id: 'gc-input' });

    await audit(page, 'with staff', results);
    await screenshot(page, 'handoff-staff');
    await page.locator('button[role="switch"]').click();
    await audit(page, 'with staff, 长辈模式', results);
    await screenshot(page, 'elder-handoff');
    console.log(`axe, handoff: ${results.join('; ')}`);
    expect(h.errors).toEqual([]);
  });

  it('after a reload, shows the conversation and the handoff from the server and carries on live', async () => {
    const page = await h.openDemo();
    const conversationId = await waiting(page);
    await staff('police', 'POST', `/api/staff/conversations/${conversationId}/claim`);
    await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '请问您是在哪里丢失的？' });
    await page.locator('.msg.staff').waitFor();

    // A new visit: this tab's copy is gone, only the session id is left in the browser.
    await page.evaluate(() => sessionStorage.clear());
    const loaded = page.waitForResponse((r) => r.url().includes('/messages') && r.request().method() === 'GET');
    await page.reload();
    expect((await loaded).status()).toBe(200);
    await page.locator('govchat-assistant .launcher').click();
    await page.locator('.msg.staff').waitFor();
    expect(await page.locator('.msg.citizen .bubble').allTextContents()).toEqual(['身份证丢了怎么补办', '转人工']);
    expect(await page.locator('.msg.staff .bubble').allTextContents()).toEqual(['请问您是在哪里丢失的？']);
    expect(await page.locator('.msg.system .bubble').allTextContents()).toEqual([expect.stringContaining('已为您接通人工服务')]);
    expect(await page.locator('.msg.bot[data-type="answer"] .cite-name').first().textContent()).toContain('居民身份证补领');
    expect(await bar(page).textContent()).toBe('人工服务中：工作人员正在为您服务');

    // The events stream is back: the next staff message arrives without asking, once.
    await staff('police', 'POST', `/api/staff/conversations/${conversationId}/messages`, { text: '好的，我帮您查一下。' });
    await expect.poll(() => page.locator('.msg.staff .bubble').allTextContents()).toEqual(['请问您是在哪里丢失的？', '好的，我帮您查一下。']);
  });

  it('stops waiting with 取消排队 (in 长辈模式): the bar goes, the server takes it off the queue, and the assistant answers again', async () => {
    const page = await h.openDemo();
    const conversationId = await waiting(page);
    await page.locator('button[role="switch"]').click();
    const size = await bar(page).evaluate((el) => Math.min(...[...el.querySelectorAll('strong, span, button')].map((e) => parseFloat(getComputedStyle(e).fontSize))));
    expect(size).toBeGreaterThanOrEqual(20);
    const results: string[] = [];
    await audit(page, 'waiting, 长辈模式', results);
    console.log(`axe, handoff: ${results.join('; ')}`);
    await screenshot(page, 'elder-handoff-waiting');
    await bar(page).getByRole('button', { name: '取消排队' }).click();
    await page.locator('.msg.system', { hasText: '已为您取消人工排队' }).waitFor();
    await bar(page).waitFor({ state: 'hidden' });
    expect((await conversationOf(page)).status).toBe('bot');
    const queue = await staff('police', 'GET', `/api/staff/queue?department=${encodeURIComponent('公安')}`);
    expect(queue.body.items.map((i: { conversationId: string }) => i.conversationId)).not.toContain(conversationId);
    // Keyboard users are not left on a button that went away.
    expect(await focused(page)).toMatchObject({ id: 'gc-input' });
    const answer = await ask(page, '补办要多少钱');
    expect(await answer.getAttribute('data-type')).toBe('answer');
    expect(await answer.locator('.cite-name').textContent()).toBe('来源：居民身份证补领 · 收费标准');
  });

  it('moves the citizen up the queue live as staff take those ahead, and counts staff messages while the panel is closed', async () => {
    const first = await h.openDemo();
    const ahead = await waiting(first);
    const second = await h.openDemo(await h.newPage());
    const mine = await waiting(second);
    await expect.poll(() => bar(second).textContent()).toMatch(/您前面还有 1 位，预计等待约 \d+ 分钟/);
    await second.locator('button[aria-label="关闭对话窗口"]').click();

    expect((await staff('police', 'POST', `/api/staff/conversations/${ahead}/claim`)).status).toBe(200);
    await expect.poll(() => bar(second).textContent()).toMatch(/您是下一位，预计等待约 \d+ 分钟/);
    expect((await staff('police2', 'POST', `/api/staff/conversations/${mine}/claim`)).status).toBe(200);
    await staff('police2', 'POST', `/api/staff/conversations/${mine}/messages`, { text: '您好，我是李警官。' });
    // The panel is closed: the button says how many new messages wait (the greeting and the reply).
    await expect.poll(() => second.locator('.launcher .badge .sr-only').textContent()).toBe('2 条新消息');
    expect(await second.getByRole('button', { name: '在线咨询 2 条新消息' }).count()).toBe(1);
    await second.locator('govchat-assistant .launcher').click();
    expect(await second.locator('.launcher .badge').isHidden()).toBe(true);
    expect(await second.locator('.msg.staff .bubble').last().textContent()).toBe('您好，我是李警官。');
    await second.context().close();
  });
});

/**
 * 好差评 in the widget, in a real Chromium against the real app (handoff on the real Redis, a key
 * prefix of its own; staff as real logins): when staff close the conversation the rating appears
 * with the five national levels as labelled radio buttons and a comment; the server has it (the
 * admin's ratings export); changing it within the window replaces it, after the window the
 * server's refusal is shown; keyboard only; axe audits in both modes. Screenshots go to
 * test/browser/screenshots/.
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
const rating = (page: Page) => page.locator('.rating-card').last();

/** A citizen served by 王警官, who then closes the conversation; returns its id. */
async function servedAndClosed(page: Page): Promise<string> {
  await page.locator('govchat-assistant .launcher').click();
  await ask(page, '身份证丢了怎么补办');
  await ask(page, '转人工');
  await page.locator('.handoff').waitFor({ state: 'visible' });
  const id = (await h.t.services.records.conversationBySession((await sessionOf(page))!))!.id;
  expect((await staff('police', 'POST', `/api/staff/conversations/${id}/claim`)).status).toBe(200);
  await staff('police', 'POST', `/api/staff/conversations/${id}/messages`, { text: '您好，请带户口簿到派出所补领。' });
  await page.locator('.msg.staff').waitFor();
  expect((await staff('police', 'POST', `/api/staff/conversations/${id}/close`)).status).toBe(200);
  await rating(page).waitFor();
  return id;
}

/** The conversation's rows in the admin's ratings export: [level, level name, comment]. */
async function exported(conversationId: string): Promise<string[][]> {
  const res = await staff('admin', 'GET', '/api/admin/export/ratings.csv');
  expect(res.status).toBe(200);
  return res.text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.split(','))
    .filter((cols) => cols[1] === conversationId)
    .map((cols) => [cols[3], cols[4], cols[5]]);
}

describe('好差评 after staff close the conversation', () => {
  it('offers the five levels by name and a comment, sends the rating, lets it be changed within the window, then not', async () => {
    const page = await h.openDemo();
    const conversationId = await servedAndClosed(page);
    // The closing message, with the rating under it; the handoff bar is gone.
    const closing = page.locator('.msg.system', { has: page.locator('.rating-card') });
    expect(await closing.locator('.bubble').textContent()).toContain('本次人工服务已结束');
    await page.locator('.handoff').waitFor({ state: 'hidden' });

    const card = rating(page);
    expect(await card.getByRole('group', { name: '请您对本次服务进行评价' }).isVisible()).toBe(true);
    const radios = card.getByRole('radio');
    expect(await radios.count()).toBe(5);
    const levels = await radios.evaluateAll((els) =>
      els.map((el) => {
        const input = el as HTMLInputElement;
        return [input.value, input.labels?.[0]?.textContent?.trim()];
      }),
    );
    expect(levels).toEqual([
      ['5', '非常满意'],
      ['4', '满意'],
      ['3', '基本满意'],
      ['2', '不满意'],
      ['1', '非常不满意'],
    ]);
    for (const name of ['非常满意', '满意', '基本满意', '不满意', '非常不满意']) expect(await card.getByRole('radio', { name, exact: true }).count()).toBe(1);
    const comment = card.getByLabel('意见或建议（选填）');
    expect(await comment.evaluate((el) => el.tagName)).toBe('TEXTAREA');

    // Sending without a level says what is missing and puts the citizen on the first level.
    await card.getByRole('button', { name: '提交评价' }).click();
    expect(await card.locator('.status.bad').textContent()).toBe('请先选择一个评价等级。');
    expect(await card.getByRole('radio', { name: '非常满意' }).evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    const audits: string[] = [];
    const audit = async (state: string) => {
      const r = await axeAudit(page);
      audits.push(`${state}: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
      expect(blocking(r.violations), state).toEqual([]);
    };
    await audit('rating');

    await card.getByRole('radio', { name: '满意', exact: true }).check();
    await comment.fill('工作人员很耐心');
    await screenshot(page, 'rating');
    await card.getByRole('button', { name: '提交评价' }).click();
    await card.locator('.status', { hasText: '感谢您的评价：满意。' }).waitFor();
    expect(await exported(conversationId)).toEqual([['4', '满意', '工作人员很耐心']]);
    await audit('rated');

    // Changed within 24 hours: the new rating replaces the old one, the comment carried over.
    await card.getByRole('button', { name: '修改评价' }).click();
    expect(await card.getByRole('radio', { name: '满意', exact: true }).isChecked()).toBe(true);
    expect(await card.getByLabel('意见或建议（选填）').inputValue()).toBe('工作人员很耐心');
    await card.getByRole('radio', { name: '非常满意' }).check();
    await card.getByRole('button', { name: '提交修改' }).click();
    await card.locator('.status', { hasText: '已为您修改评价：非常满意。' }).waitFor();
    expect(await exported(conversationId)).toEqual([['5', '非常满意', '工作人员很耐心']]);

    // A reload shows the thanks, not the question again.
    await page.reload();
    await rating(page).locator('.status', { hasText: '已为您修改评价：非常满意。' }).waitFor();
    expect(await rating(page).getByRole('radio').count()).toBe(0);

    // A day later the rating is locked: the server says so and the rating given stands.
    await h.t.services.records.db
      .updateTable('ratings')
      .set({ created_at: Date.now() - 25 * 3600_000 })
      .where('conversation_id', '=', conversationId)
      .execute();
    await rating(page).getByRole('button', { name: '修改评价' }).click();
    await rating(page).getByRole('radio', { name: '不满意', exact: true }).check();
    const locked = page.waitForResponse((r) => r.url().endsWith('/api/ratings'));
    await rating(page).getByRole('button', { name: '提交修改' }).click();
    expect((await locked).status()).toBe(409);
    await rating(page).locator('.status', { hasText: '24 小时后不能再修改' }).waitFor();
    expect(await rating(page).getByRole('button', { name: '修改评价' }).count()).toBe(0);
    expect(await exported(conversationId)).toEqual([['5', '非常满意', '工作人员很耐心']]);
    console.log(`axe, rating: ${audits.join('; ')}`);
    expect(h.errors).toEqual([]);
  });

  it('can be given by keyboard only: into the levels, arrows to choose, a comment, Enter to send', async () => {
    const page = await h.openDemo();
    const conversationId = await servedAndClosed(page);
    await page.locator('#gc-input').focus();
    let onLevel = false;
    for (let i = 0; i < 12 && !onLevel; i++) {
      await page.keyboard.press('Shift+Tab');
      onLevel = (await focused(page))?.tag === 'input' && (await page.evaluate(() => (document.querySelector('govchat-assistant')!.shadowRoot!.activeElement as HTMLInputElement).type)) === 'radio';
    }
    expect(onLevel).toBe(true);
    // The focus ring shows on the radio button the citizen is on.
    const ring = await page.evaluate(() => {
      const el = document.querySelector('govchat-assistant')!.shadowRoot!.activeElement!;
      return { style: getComputedStyle(el).outlineStyle, width: parseFloat(getComputedStyle(el).outlineWidth) };
    });
    expect(ring).toMatchObject({ style: 'solid' });
    expect(ring.width).toBeGreaterThanOrEqual(3);
    // Coming back from below lands on the last level; arrows move through the levels and choose.
    expect(await focused(page)).toMatchObject({ id: expect.stringMatching(/-1$/) });
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    expect(await rating(page).getByRole('radio', { name: '不满意', exact: true }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('排队等了很久');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: '提交评价' });
    await page.keyboard.press('Enter');
    // A 差评: the date staff will answer by, read out and focused.
    const status = rating(page).locator('.status', { hasText: '感谢您的评价：不满意。' });
    await status.waitFor();
    expect(await status.textContent()).toMatch(/我们会认真核实，并在 \d{4}-\d{2}-\d{2} 前答复您。/);
    expect(await focused(page)).toMatchObject({ tag: 'p', cls: 'status' });
    expect(await exported(conversationId)).toEqual([['2', '不满意', '排队等了很久']]);
    const followups = (await staff('police', 'GET', '/api/staff/followups')).body.items as { conversationId: string; level: number }[];
    expect(followups.find((f) => f.conversationId === conversationId)).toMatchObject({ level: 2 });
  });

  it('passes axe in 长辈模式, with every level and the comment in large text', async () => {
    const page = await h.openDemo();
    await servedAndClosed(page);
    await page.locator('button[role="switch"]').click();
    const small = await rating(page).evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('legend, label, textarea, button')].filter((e) => parseFloat(getComputedStyle(e).fontSize) < 20).map((e) => e.tagName),
    );
    expect(small).toEqual([]);
    const box = (await rating(page).getByRole('radio').first().boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(24);
    const r = await axeAudit(page);
    console.log(`axe, rating, 长辈模式: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
    expect(blocking(r.violations)).toEqual([]);
    await rating(page).scrollIntoViewIfNeeded();
    await screenshot(page, 'elder-rating');
  });
});

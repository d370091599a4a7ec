/**
 * 表单预填 in the widget, in a real Chromium against the real app: a form filled in the chat,
 * corrected in the rendered form (the server's validation message by the wrong field), confirmed
 * with the handling link; the same by keyboard only; axe audits of the form states in the normal
 * mode and in 长辈模式. Screenshots go to test/browser/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, axeAudit, blocking, focused, screenshot, startDemo, type DemoHarness } from './support.js';

const RIGHT_ID = '110101199003071233';
const WRONG_ID = '110101199003071234'; // the same number with a wrong check digit
const OTHER_ID = '110105198506120026'; // another valid number (female, 1985-06-12)
const PHONE = '13912345678';
const CHECK_MESSAGE = '身份证号第18位校验不符，请核对';

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemo({ clock: () => new Date('2026-12-01T10:00:00+08:00') });
});
afterAll(async () => {
  await h?.close();
});

const sessionOf = (page: Page) => page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))?.[1] ?? null);
/** The newest form card, the one the citizen works on. */
const card = (page: Page) => page.locator('.form-card:not(.retired)').last();

async function draftOnServer(page: Page, draftId: string) {
  const res = await page.request.get(`${h.srv.origin}/api/forms/${draftId}`, { headers: { 'x-session-id': (await sessionOf(page))! } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { status: string; fields: { name: string; value: string | null }[]; url: string };
}

describe('a form filled in the chat and corrected in the form', () => {
  it('shows the server’s reason by a wrong ID number, keeps what was typed, and confirms the corrected form with its handling link', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();

    const start = await ask(page, '我要办居住证');
    expect(await start.getAttribute('data-type')).toBe('form');
    const form = card(page);
    expect(await form.locator('h3').textContent()).toBe('居住证申领表');
    // Every field a labelled control, marked 必填 or 选填, with its help.
    const id = form.getByLabel('公民身份号码');
    expect(await id.getAttribute('aria-describedby')).toBeTruthy();
    expect(await form.locator('label', { hasText: '公民身份号码' }).locator('.req').textContent()).toBe('必填');
    expect(await form.locator('label', { hasText: '在示例市的居住地址' }).locator('.opt').textContent()).toBe('选填');
    expect(await form.locator('select').count()).toBe(1);

    await ask(page, '张三');
    // The older card steps aside; the newest is pre-filled with what was said.
    expect(await page.locator('.form-card.retired').count()).toBe(1);
    await expect.poll(() => card(page).getByLabel('申请人姓名').inputValue()).toBe('张三');

    const wrongInChat = await ask(page, WRONG_ID);
    expect(await wrongInChat.locator('.bubble').textContent()).toContain(CHECK_MESSAGE);
    expect(await card(page).locator('.field.invalid .ferr').textContent()).toContain(CHECK_MESSAGE);
    expect(await card(page).getByLabel('公民身份号码').getAttribute('aria-invalid')).toBe('true');

    const withPhone = await ask(page, PHONE);
    const draftId = (await card(page).getAttribute('data-draft'))!;
    expect(draftId).toBeTruthy();
    // The chat shows the phone masked; the form gets the whole value from GET /api/forms/:id.
    expect(await withPhone.locator('.bubble').textContent()).not.toContain(PHONE);
    await expect.poll(() => card(page).getByLabel('联系电话').inputValue()).toBe(PHONE);

    // The citizen types the wrong number into the form: the server refuses it, with its reason.
    await card(page).getByLabel('公民身份号码').fill(WRONG_ID);
    await card(page).getByLabel('在示例市的居住地址').fill('示例市中心区人民路100号3栋201室');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/api/forms/${draftId}`) && r.request().method() === 'PATCH');
    await card(page).getByRole('button', { name: '确认无误，提交' }).click();
    expect((await refused).status()).toBe(422);
    const idField = card(page).getByLabel('公民身份号码');
    await expect.poll(() => idField.getAttribute('aria-invalid')).toBe('true');
    const errId = (await idField.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
    expect(await card(page).locator(`[id="${errId}"]`).textContent()).toContain(CHECK_MESSAGE);
    expect(await card(page).locator('.status.bad').textContent()).toBe('有1项需要修改，请看标红的项目。');
    // Nothing typed is lost, and the citizen is taken to the field to correct.
    expect(await idField.inputValue()).toBe(WRONG_ID);
    expect(await card(page).getByLabel('在示例市的居住地址').inputValue()).toBe('示例市中心区人民路100号3栋201室');
    expect(await focused(page)).toMatchObject({ id: (await idField.getAttribute('id'))! });
    expect((await draftOnServer(page, draftId)).fields.find((f) => f.name === 'address')!.value).toBeNull(); // all or nothing
    await screenshot(page, 'form-error');

    await idField.fill(RIGHT_ID);
    await card(page).getByRole('button', { name: '确认无误，提交' }).click();
    await card(page).locator('.status', { hasText: '申请表已确认。' }).waitFor();
    const link = card(page).getByRole('link', { name: /前往网上办理/ });
    const server = await draftOnServer(page, draftId);
    expect(server.status).toBe('confirmed');
    expect(server.fields.find((f) => f.name === 'id_number')!.value).toBe(RIGHT_ID);
    expect(server.fields.find((f) => f.name === 'address')!.value).toBe('示例市中心区人民路100号3栋201室');
    expect(await link.getAttribute('href')).toBe(server.url);
    expect(server.url).toContain(draftId);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await card(page).textContent()).toContain(`草稿编号：${draftId}`);
    // The summary masks the numbers as the chat does; the draft keeps them whole.
    const summary = await card(page).locator('.summary').textContent();
    expect(summary).toContain('公民身份号码：1101**********1233');
    expect(summary).toContain('联系电话：139****5678');
    expect(summary).not.toContain(RIGHT_ID);
    expect(await focused(page)).toMatchObject({ tag: 'a' });
    await screenshot(page, 'form-confirmed');
    expect(h.errors).toEqual([]);
  });
});

describe('a 12345 complaint confirmed in the form', () => {
  it('tells the citizen it is being passed to a member of staff, with the place in the queue', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '我要投诉，上周在中心区政务大厅办事，窗口工作人员态度很差');
    expect(await card(page).locator('h3').textContent()).toBe('12345投诉建议工单');
    await expect.poll(() => card(page).getByLabel('诉求内容').inputValue()).toContain('窗口工作人员态度很差');
    await card(page).getByLabel('联系电话').fill(PHONE);
    await card(page).getByRole('button', { name: '确认无误，提交' }).click();
    await card(page).locator('.status', { hasText: '申请表已确认。' }).waitFor();
    // The server queued it to staff (a complaint); the widget shows that without another question.
    const bar = page.locator('.handoff');
    await bar.waitFor({ state: 'visible' });
    expect(await bar.textContent()).toMatch(/正在为您转接人工.*(您是下一位|您前面还有 \d+ 位).*预计等待约 \d+ 分钟/);
    expect(await page.locator('.msg.system .bubble').last().textContent()).toContain('正在为您转接');
    const conv = await h.t.services.records.conversationBySession((await sessionOf(page))!);
    expect(conv!.status).toBe('waiting');
  });
});

describe('keyboard only', () => {
  it('reaches every field from the chat input, corrects one, submits with Enter and lands on the handling link', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await page.keyboard.type('我要办居住证');
    await page.keyboard.press('Enter');
    await page.locator('.msg.bot[data-type="form"]').waitFor();
    await page.keyboard.type(`我叫李四，身份证${OTHER_ID}，电话${PHONE}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.msg.bot[data-type="form"]').count()).toBe(2);
    await expect.poll(() => card(page).getByLabel('联系电话').inputValue()).toBe(PHONE);

    // Back from the input to the form's fields, each with a visible focus ring.
    let onName = false;
    for (let i = 0; i < 20 && !onName; i++) {
      await page.keyboard.press('Shift+Tab');
      const f = await focused(page);
      onName = f?.tag === 'input' && (await card(page).getByLabel('申请人姓名').getAttribute('id')) === f.id;
    }
    expect(onName).toBe(true);
    const ring = await card(page)
      .getByLabel('申请人姓名')
      .evaluate((el) => ({ style: getComputedStyle(el).outlineStyle, width: parseFloat(getComputedStyle(el).outlineWidth) }));
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(3);
    expect(await card(page).getByLabel('申请人姓名').inputValue()).toBe('李四');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('李思');
    await page.keyboard.press('Tab');
    expect((await focused(page))?.id).toBe(await card(page).getByLabel('公民身份号码').getAttribute('id'));
    await page.keyboard.press('Enter'); // implicit submission: saves the change, then confirms
    await card(page).locator('.status', { hasText: '申请表已确认。' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'a', text: expect.stringContaining('前往网上办理') });
    const draftId = (await card(page).getAttribute('data-draft'))!;
    const server = await draftOnServer(page, draftId);
    expect(server.status).toBe('confirmed');
    expect(server.fields.find((f) => f.name === 'name')!.value).toBe('李思');
  });
});

describe('accessibility of the form (axe-core)', () => {
  it('finds no serious or critical problem in the open form with an error, in 长辈模式, or in the confirmed form', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '我要办居住证');
    await ask(page, WRONG_ID);
    await card(page).locator('.ferr').waitFor();
    const results: string[] = [];
    const check = async (state: string) => {
      const r = await axeAudit(page);
      results.push(`${state}: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
      expect(blocking(r.violations), state).toEqual([]);
    };
    await check('form with an error');
    await page.locator('button[role="switch"]').click();
    await expect.poll(() => page.locator('.root.elder').count()).toBe(1);
    // 长辈模式: the form's text is large too (labels, help, the error, the marks).
    const small = await card(page).evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('label, .help, .ferr, .req, .opt, input, select, textarea, button')]
        .filter((e) => e.getClientRects().length && parseFloat(getComputedStyle(e).fontSize) < 20)
        .map((e) => `${e.tagName}.${e.className}`),
    );
    expect(small).toEqual([]);
    await check('form with an error, 长辈模式');
    await card(page).getByLabel('公民身份号码').scrollIntoViewIfNeeded();
    await screenshot(page, 'elder-form');
    await card(page).getByLabel('申请人姓名').fill('张三');
    await card(page).getByLabel('公民身份号码').fill(RIGHT_ID);
    await card(page).getByLabel('联系电话').fill(PHONE);
    await card(page).getByRole('button', { name: '确认无误，提交' }).click();
    await card(page).locator('.status', { hasText: '申请表已确认。' }).waitFor();
    await check('confirmed form, 长辈模式');
    await page.locator('button[role="switch"]').click();
    await check('confirmed form');
    console.log(`axe, forms: ${results.join('; ')}`);
  });
});

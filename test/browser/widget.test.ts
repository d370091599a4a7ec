/**
 * The citizen chat widget in a real Chromium, on the demo page of the real govchat app served on
 * a real socket: streamed, cited answers; follow-ups; suggestions and clarify choices; the
 * session across reloads; keyboard-only use; 长辈模式; phones of 320 and 375 px; nothing lost on
 * errors; axe-core audits; screenshots of the main states in test/browser/screenshots/.
 */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { axeAudit, blocking, ensureWidgetBuilt, launchChromium, listen, screenshot, type Listening } from './support.js';

let browser: Browser;
let t: TestApp;
let srv: Listening;
let desktop: Page;
const errors: string[] = [];

const DESKTOP = { width: 1280, height: 800 };

async function newPage(opts: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', ...opts });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

beforeAll(async () => {
  await ensureWidgetBuilt();
  [t, browser] = await Promise.all([createTestApp(), launchChromium()]);
  srv = await listen(t.app.fetch);
  desktop = await newPage();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await t?.dispose();
});

/**
 * The demo page as a first-time visitor sees it. New pages are slow to make on a busy machine,
 * so tests reuse one page per kind of device and start each time from empty storage (which is
 * all the widget keeps: a new browser is no different).
 */
async function openDemo(page: Page = desktop): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  if (page.url().startsWith(srv.origin)) await page.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
  else {
    await page.goto(srv.origin + '/');
    await page.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
  }
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto(srv.origin + '/');
  await page.locator('govchat-assistant .launcher').waitFor();
  errors.length = 0;
  return { page, errors, close: async () => {} };
}

/** Waits for the panel's opening animation, so its box is where it comes to rest. */
const settled = (page: Page) => page.waitForFunction(() => document.querySelector('govchat-assistant')!.shadowRoot!.querySelector('#gc-panel')!.getAnimations().length === 0);

/** Types a question into the widget, sends it with Enter and waits for the finished reply. */
async function ask(page: Page, text: string) {
  const replies = page.locator('.msg.bot[data-type]');
  const before = await replies.count();
  await page.locator('#gc-input').fill(text);
  await page.locator('#gc-input').press('Enter');
  await replies.nth(before).waitFor({ timeout: 15_000 });
  return replies.nth(before);
}

/** The element focused inside the widget's shadow root, described. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('govchat-assistant')!.shadowRoot!;
    const el = root.activeElement as HTMLElement | null;
    return el ? { tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: (el.textContent ?? '').trim() } : null;
  });

describe('asking a question', () => {
  it('streams the answer into the panel, then shows it as real lists with its source and a link to the whole guide', async () => {
    const { page, errors, close } = await openDemo();
    const accepts: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/chat')) accepts.push(r.headers().accept ?? '');
    });
    await page.locator('govchat-assistant .launcher').click();
    await expect.poll(() => focused(page)).toMatchObject({ id: 'gc-input' });
    // Record the streamed text as it grows (every appended piece leaves its old value behind).
    await page.evaluate(() => {
      const root = document.querySelector('govchat-assistant')!.shadowRoot!;
      const seen: string[] = [];
      (window as unknown as { __streamed: string[] }).__streamed = seen;
      new MutationObserver((records) => {
        for (const r of records) if (r.type === 'characterData' && (r.target.parentNode as Element | null)?.classList.contains('stream') && r.oldValue) seen.push(r.oldValue);
      }).observe(root, { subtree: true, characterData: true, characterDataOldValue: true });
    });
    const answer = await ask(page, '身份证丢了补办要多少钱');

    expect(accepts).toEqual([expect.stringContaining('text/event-stream')]);
    const done = await t.services.records.conversationBySession((await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))?.[1])) as string);
    const final = (await t.services.records.listMessages(done!.id)).at(-1)!.text;
    const streamed = await page.evaluate(() => (window as unknown as { __streamed: string[] }).__streamed);
    expect(streamed.length).toBeGreaterThanOrEqual(2);
    for (const partial of streamed) {
      expect(final.startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(final.length);
    }

    expect(await answer.getAttribute('data-type')).toBe('answer');
    expect(await answer.locator('h3').textContent()).toBe('居民身份证补领 · 收费标准');
    const items = await answer.locator('.bubble ul > li').allTextContents();
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.join('\n')).toContain('工本费每证40元');
    // Laid out, never raw: no bullets, numbers, 【】 or Markdown left in the text.
    for (const item of items) expect(item).not.toMatch(/^\s*([·•*-]|\d+\.)\s/);
    expect(await answer.locator('.bubble').textContent()).not.toMatch(/【|\*\*|^#/);

    expect(await answer.locator('.cite-name').textContent()).toBe('来源：居民身份证补领 · 收费标准');
    const link = answer.locator('a.cite-link');
    expect(await link.getAttribute('href')).toBe(`${srv.origin}/guides/id-card-replacement#fee`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.textContent()).toContain('查看《居民身份证补领》完整办事指南');
    expect((await page.request.get((await link.getAttribute('href'))!)).status()).toBe(200);

    const suggestions = await answer.locator('.sugs[role="group"] button').allTextContents();
    expect(suggestions.length).toBeGreaterThanOrEqual(2);
    // The live region tells screen readers the answer arrived.
    await expect.poll(() => page.locator('[aria-live="polite"]').textContent()).toContain('政务助手：【居民身份证补领 · 收费标准】');
    await screenshot(page, 'desktop-answer');
    expect(errors).toEqual([]);
    await close();
  });

  it('carries follow-ups, sends a suggestion when it is pressed, and offers a clarify question’s choices as buttons', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    const first = await ask(page, '身份证丢了怎么办');
    expect(await first.locator('.cite-name').textContent()).toContain('居民身份证补领');
    const fee = await ask(page, '要多少钱');
    expect(await fee.locator('.cite-name').textContent()).toBe('来源：居民身份证补领 · 收费标准');

    await fee.locator('.sugs button', { hasText: '需要带什么材料' }).click();
    const materials = page.locator('.msg.bot[data-type]').nth(2);
    await materials.waitFor();
    expect(await page.locator('.msg.citizen .bubble').nth(2).textContent()).toBe('需要带什么材料？');
    expect(await materials.locator('.cite-name').textContent()).toBe('来源：居民身份证补领 · 申请材料');
    expect(await materials.locator('.bubble ol > li').count()).toBeGreaterThanOrEqual(3);
    // Only the newest reply offers suggestions, so old ones cannot be pressed by mistake.
    expect(await page.locator('.sugs').count()).toBe(1);

    const clarify = await ask(page, '公积金怎么取出来');
    expect(await clarify.getAttribute('data-type')).toBe('clarify');
    const choices = clarify.locator('.sugs[aria-label="请选择您要办的事项"] button');
    expect(await choices.allTextContents()).toEqual(expect.arrayContaining(['购房提取住房公积金', '租房提取住房公积金']));
    await choices.filter({ hasText: '租房提取住房公积金' }).click();
    const chosen = page.locator('.msg.bot[data-type]').nth(4);
    await chosen.waitFor();
    expect(await chosen.locator('.cite-name').textContent()).toContain('租房提取住房公积金');
    await close();
  });
});

describe('the session', () => {
  it('is remembered across a reload: the conversation is shown again and follow-ups still work', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '身份证丢了怎么办');
    const sessionKey = `govchat:${srv.origin}:session`;
    const sid = await page.evaluate((k) => localStorage.getItem(k), sessionKey);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    await page.reload();
    // The panel was open: it opens again, with the conversation as it was.
    await page.locator('#gc-panel').waitFor({ state: 'visible' });
    expect(await page.locator('.msg.citizen .bubble').allTextContents()).toEqual(['身份证丢了怎么办']);
    expect(await page.locator('.msg.bot[data-type] h3').first().textContent()).toContain('居民身份证补领');
    const fee = await ask(page, '要多少钱');
    expect(await fee.locator('.cite-name').textContent()).toBe('来源：居民身份证补领 · 收费标准');
    expect(await page.evaluate((k) => localStorage.getItem(k), sessionKey)).toBe(sid);
    const conv = await t.services.records.conversationBySession(sid!);
    expect((await t.services.records.listMessages(conv!.id)).map((m) => m.role)).toEqual(['citizen', 'bot', 'citizen', 'bot']);

    // 新对话 forgets it on this device: welcome only, and the next question starts afresh.
    await page.locator('button', { hasText: '新对话' }).click();
    expect(await page.locator('.msg').count()).toBe(1);
    expect(await page.locator('.msg.welcome').count()).toBe(1);
    expect(await page.evaluate((k) => localStorage.getItem(k), sessionKey)).toBeNull();
    await ask(page, '结婚登记要带什么');
    const fresh = await page.evaluate((k) => localStorage.getItem(k), sessionKey);
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(sid);

    // A browser without the stored session (another citizen) sees nothing of it.
    await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    expect(await page.locator('.msg').count()).toBe(1);
    expect(await page.locator('.msg.welcome .sugs button').count()).toBeGreaterThan(0);
    await close();
  });
});

describe('keyboard only', () => {
  it('reaches the button, opens, asks, picks a suggestion, closes with Esc and returns focus to the button', async () => {
    const { page, close } = await openDemo();
    let onLauncher = false;
    for (let i = 0; i < 40 && !onLauncher; i++) {
      await page.keyboard.press('Tab');
      onLauncher = (await focused(page))?.cls === 'launcher';
    }
    expect(onLauncher).toBe(true);
    // The focus is visible: a thick ring, not the browser's faint default or nothing.
    const ring = await page.locator('govchat-assistant .launcher').evaluate((el) => {
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow };
    });
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(3);
    expect(ring.shadow).not.toBe('none');

    await page.keyboard.press('Enter');
    await page.locator('#gc-panel').waitFor({ state: 'visible' });
    expect(await focused(page)).toMatchObject({ id: 'gc-input' });
    await page.keyboard.type('宝宝刚出生怎么上户口');
    await page.keyboard.press('Enter');
    const answer = page.locator('.msg.bot[data-type]').first();
    await answer.waitFor();
    expect(await answer.locator('.cite-name').textContent()).toContain('新生儿出生登记');

    // Back from the input to the suggestions, and press one.
    let onSuggestion = false;
    for (let i = 0; i < 6 && !onSuggestion; i++) {
      await page.keyboard.press('Shift+Tab');
      onSuggestion = (await focused(page))?.cls === 'sug';
    }
    expect(onSuggestion).toBe(true);
    const picked = (await focused(page))!.text;
    await page.keyboard.press('Enter');
    await page.locator('.msg.bot[data-type]').nth(1).waitFor();
    expect(await page.locator('.msg.citizen .bubble').last().textContent()).toBe(picked);
    // The pressed button is gone with the old suggestions; focus is back in the input, not lost.
    expect(await focused(page)).toMatchObject({ id: 'gc-input' });

    await page.keyboard.press('Escape');
    await page.locator('#gc-panel').waitFor({ state: 'hidden' });
    expect(await focused(page)).toMatchObject({ cls: 'launcher' });
    expect(await page.locator('govchat-assistant .launcher').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await page.locator('#gc-panel').waitFor({ state: 'visible' });
    expect(await page.locator('.msg.citizen').count()).toBe(2);
    await close();
  });

  it('sends with Enter but not while an input method is composing, and Shift+Enter makes a new line', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    const input = page.locator('#gc-input');
    await input.fill('第一行');
    await input.press('Shift+Enter');
    await input.pressSequentially('第二行');
    expect(await input.inputValue()).toBe('第一行\n第二行');
    // An Enter that confirms a 拼音 candidate (isComposing) must not send.
    await input.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true })));
    expect(await page.locator('.msg.citizen').count()).toBe(0);
    await input.fill('你好');
    await input.press('Enter');
    await page.locator('.msg.bot[data-type]').first().waitFor();
    expect(await page.locator('.msg.citizen .bubble').textContent()).toBe('你好');
    await close();
  });
});

/** Every visible piece of text in the widget with its font size, in px. */
const textSizes = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('govchat-assistant')!.shadowRoot!;
    const out: { text: string; size: number }[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement!;
      if (!n.textContent!.trim() || el.closest('style, .sr-only') || !el.getClientRects().length) continue;
      out.push({ text: n.textContent!.trim().slice(0, 20), size: parseFloat(getComputedStyle(el).fontSize) });
    }
    return out;
  });

describe('长辈模式', () => {
  it('makes every text at least 20 px with strong contrast and no animation, and is remembered', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '身份证丢了怎么办');
    const normal = await textSizes(page);
    expect(Math.min(...normal.map((s) => s.size))).toBeLessThan(20);

    const toggle = page.locator('button[role="switch"]');
    expect(await toggle.textContent()).toBe('长辈模式');
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');

    const sizes = await textSizes(page);
    expect(sizes.length).toBeGreaterThan(10);
    expect(sizes.filter((s) => s.size < 20)).toEqual([]);
    const look = await page.locator('.msg.bot[data-type] .bubble').first().evaluate((el) => {
      const s = getComputedStyle(el);
      const panel = getComputedStyle(el.closest('.panel')!);
      return { color: s.color, background: s.backgroundColor, border: s.borderTopWidth, animation: panel.animationName };
    });
    expect(look).toEqual({ color: 'rgb(0, 0, 0)', background: 'rgb(255, 255, 255)', border: '2px', animation: 'none' });
    // Simpler: the secondary lines go, suggestions become one full-width column.
    expect(await page.locator('.sub').isVisible()).toBe(false);
    const sug = await page.locator('.sugs').evaluate((el) => getComputedStyle(el).flexDirection);
    expect(sug).toBe('column');

    const audit = await axeAudit(page);
    console.log(`axe, 长辈模式 with an answer: ${audit.violations.length} violations (${audit.violations.map((v) => `${v.id}:${v.impact}`).join(', ') || 'none'})`);
    expect(blocking(audit.violations)).toEqual([]);
    await screenshot(page, 'elder-desktop');

    await page.reload();
    await page.locator('#gc-panel').waitFor({ state: 'visible' });
    expect(await page.locator('button[role="switch"]').getAttribute('aria-checked')).toBe('true');
    expect(await page.locator('.root').evaluate((el) => el.classList.contains('elder'))).toBe(true);
    await close();
  });
});

describe('phones', () => {
  let phone: Page;
  beforeAll(async () => {
    phone = await newPage({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  });

  for (const width of [320, 375]) {
    it(`fills a ${width} px screen with the panel, nothing wider than the screen, everything reachable`, async () => {
      await phone.setViewportSize({ width, height: 640 });
      const { page, close } = await openDemo(phone);
      const launcher = page.locator('govchat-assistant .launcher');
      const box = (await launcher.boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      await launcher.tap();
      await settled(page);
      const panel = (await page.locator('#gc-panel').boundingBox())!;
      expect(panel).toEqual({ x: 0, y: 0, width, height: 640 });
      // A tap does not pop the on-screen keyboard over the answer.
      expect((await focused(page))?.id).not.toBe('gc-input');

      await page.locator('#gc-input').fill('身份证丢了补办要多少钱');
      await page.locator('button.send').tap();
      const answer = page.locator('.msg.bot[data-type]').first();
      await answer.waitFor();
      const overflow = await page.evaluate(() => {
        const root = document.querySelector('govchat-assistant')!.shadowRoot!;
        const wide = [...root.querySelectorAll<HTMLElement>('.panel *')].filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > window.innerWidth + 0.5);
        return { page: document.documentElement.scrollWidth, log: root.querySelector('.log')!.scrollWidth - root.querySelector('.log')!.clientWidth, wide: wide.map((el) => el.className || el.tagName) };
      });
      expect(overflow).toEqual({ page: width, log: 0, wide: [] });
      for (const sel of ['#gc-input', 'button.send', 'button[role="switch"]', 'button[aria-label="关闭对话窗口"]']) {
        const b = (await page.locator(sel).boundingBox())!;
        expect(b.x, sel).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, sel).toBeLessThanOrEqual(width);
        expect(b.height, sel).toBeGreaterThanOrEqual(36);
      }
      await screenshot(page, `phone-${width}`);
      if (width === 375) {
        await page.locator('button[role="switch"]').tap();
        await screenshot(page, 'elder-phone-375');
      }
      await page.locator('button[aria-label="关闭对话窗口"]').tap();
      await page.locator('#gc-panel').waitFor({ state: 'hidden' });
      await close();
    });
  }
});

describe('motion', () => {
  it('respects prefers-reduced-motion: no animation or transition anywhere', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    expect(await page.locator('#gc-panel').evaluate((el) => getComputedStyle(el).animationName)).toBe('gc-in');
    await page.locator('button[aria-label="关闭对话窗口"]').click();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '身份证丢了怎么办');
    const moving = await page.evaluate(() => {
      const root = document.querySelector('govchat-assistant')!.shadowRoot!;
      return [...root.querySelectorAll('*')].map((el) => getComputedStyle(el)).filter((s) => s.animationName !== 'none' || parseFloat(s.transitionDuration) > 0).length;
    });
    expect(moving).toBe(0);
    await close();
  });
});

describe('nothing is lost when a message cannot be answered', () => {
  it('shows the server’s reason for a refused message and puts the text back in the box', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    const long = '身份证'.repeat(200);
    await page.locator('#gc-input').fill(long);
    await page.locator('#gc-input').press('Enter');
    const alert = page.locator('.msg.error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('消息太长了');
    expect(await page.locator('#gc-input').inputValue()).toBe(long);
    expect(await page.locator('.msg.citizen').count()).toBe(0);
    await close();
  });

  it('says the network failed and keeps the question when the server cannot be reached', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await page.route('**/api/chat', (r) => r.abort('connectionrefused'));
    await page.locator('#gc-input').fill('身份证丢了怎么办');
    await page.locator('button.send').click();
    const alert = page.locator('.msg.error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('网络连接出现问题');
    expect(await page.locator('#gc-input').inputValue()).toBe('身份证丢了怎么办');
    await page.unroute('**/api/chat');
    await page.locator('button.send').click();
    await page.locator('.msg.bot[data-type]').first().waitFor();
    await close();
  });
});

describe('accessibility audit (axe-core)', () => {
  it('finds no serious or critical problem in the widget, closed, open and answering, nor on the demo page', async () => {
    const { page, close } = await openDemo();
    const results: string[] = [];
    const check = async (state: string, include?: string[]) => {
      const r = await axeAudit(page, include);
      results.push(`${state}: ${r.violations.length} violations${r.violations.length ? ` (${r.violations.map((v) => `${v.id}:${v.impact}`).join(', ')})` : ''}`);
      expect(blocking(r.violations), state).toEqual([]);
    };
    await check('closed');
    await page.locator('govchat-assistant .launcher').click();
    await check('open (welcome)');
    await ask(page, '身份证丢了补办要多少钱');
    await ask(page, '公积金怎么取出来');
    await check('answer and clarify');
    await check('whole demo page', ['html']);
    console.log(`axe, normal mode: ${results.join('; ')}`);
    await screenshot(page, 'desktop-clarify');
    await close();
  });

  it('labels every control and names the panel as a dialog', async () => {
    const { page, close } = await openDemo();
    await page.locator('govchat-assistant .launcher').click();
    const unnamed = await page.evaluate(() => {
      const root = document.querySelector('govchat-assistant')!.shadowRoot!;
      return [...root.querySelectorAll<HTMLElement>('button, textarea, input, select, a')]
        .filter((el) => {
          const label = el.id ? root.querySelector(`label[for="${el.id}"]`) : null;
          return !(el.getAttribute('aria-label') || (el.textContent ?? '').trim() || label?.textContent?.trim());
        })
        .map((el) => el.outerHTML.slice(0, 80));
    });
    expect(unnamed).toEqual([]);
    expect(await page.locator('#gc-panel').getAttribute('role')).toBe('dialog');
    expect(await page.locator('#gc-panel').getAttribute('aria-labelledby')).toBe('gc-title');
    expect(await page.locator('#gc-title').textContent()).toBe('示例市政务服务');
    expect(await page.locator('label[for="gc-input"]').textContent()).toBe('请输入您的问题');
    await close();
  });
});

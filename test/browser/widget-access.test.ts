/**
 * The widget for everyone (GB/T 37668-2019, MIIT 适老化): 长辈模式, phones of 320 and 375 px,
 * reduced motion, labelled controls, axe-core audits; screenshots of the main states go to
 * test/browser/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, axeAudit, blocking, focused, screenshot, settled, startDemo, type DemoHarness } from './support.js';

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(async () => {
  await h?.close();
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
    const page = await h.openDemo();
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
  });
});

describe('phones', () => {
  let phone: Page;
  beforeAll(async () => {
    phone = await h.newPage({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  });

  for (const width of [320, 375]) {
    it(`fills a ${width} px screen with the panel, nothing wider than the screen, everything reachable`, async () => {
      await phone.setViewportSize({ width, height: 640 });
      const page = await h.openDemo(phone);
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
      });
  }
});

describe('motion', () => {
  it('respects prefers-reduced-motion: no animation or transition anywhere', async () => {
    const page = await h.openDemo();
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
  });
});

describe('accessibility audit (axe-core)', () => {
  it('finds no serious or critical problem in the widget, closed, open and answering, nor on the demo page', async () => {
    const page = await h.openDemo();
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
  });

  it('labels every control and names the panel as a dialog', async () => {
    const page = await h.openDemo();
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
  });
});

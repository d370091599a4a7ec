/**
 * The citizen chat widget in a real Chromium, on the demo page of the real govchat app served on
 * a real socket: streamed, cited answers; follow-ups; suggestions and clarify choices; the
 * session across reloads; keyboard-only use; nothing lost on errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, focused, screenshot, startDemo, type DemoHarness } from './support.js';

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(async () => {
  await h?.close();
});

describe('asking a question', () => {
  it('streams the answer into the panel, then shows it as real lists with its source and a link to the whole guide', async () => {
    const page = await h.openDemo();
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
    const done = await h.t.services.records.conversationBySession((await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))?.[1])) as string);
    const final = (await h.t.services.records.listMessages(done!.id)).at(-1)!.text;
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
    expect(await link.getAttribute('href')).toBe(`${h.srv.origin}/guides/id-card-replacement#fee`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.textContent()).toContain('查看《居民身份证补领》完整办事指南');
    expect((await page.request.get((await link.getAttribute('href'))!)).status()).toBe(200);

    const suggestions = await answer.locator('.sugs[role="group"] button').allTextContents();
    expect(suggestions.length).toBeGreaterThanOrEqual(2);
    // The live region tells screen readers the answer arrived.
    await expect.poll(() => page.locator('[aria-live="polite"]').textContent()).toContain('政务助手：【居民身份证补领 · 收费标准】');
    await screenshot(page, 'desktop-answer');
    expect(h.errors).toEqual([]);
  });

  it('carries follow-ups, sends a suggestion when it is pressed, and offers a clarify question’s choices as buttons', async () => {
    const page = await h.openDemo();
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
  });
});

describe('the guide page a citation links to', () => {
  it('gets its whole stylesheet: 18 px text in the fonts named, not the browser’s default', async () => {
    const page = await h.openDemo();
    await page.goto(`${h.srv.origin}/guides/id-card-replacement#fee`);
    const body = await page.evaluate(() => {
      const s = getComputedStyle(document.body);
      return { size: s.fontSize, family: s.fontFamily, margin: s.marginTop, lineHeight: s.lineHeight };
    });
    // One rule sets all four: an escaped quote in it (&quot;PingFang SC&quot;) drops it whole.
    expect(body).toEqual({ size: '18px', family: 'system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif', margin: '0px', lineHeight: '30.6px' });
    expect(await page.locator('#fee h2').textContent()).toBe('收费标准');
  });
});

describe('the session', () => {
  it('is remembered across a reload: the conversation is shown again and follow-ups still work', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    await ask(page, '身份证丢了怎么办');
    const sessionKey = `govchat:${h.srv.origin}:session`;
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
    const conv = await h.t.services.records.conversationBySession(sid!);
    expect((await h.t.services.records.listMessages(conv!.id)).map((m) => m.role)).toEqual(['citizen', 'bot', 'citizen', 'bot']);

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
    await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    expect(await page.locator('.msg').count()).toBe(1);
    expect(await page.locator('.msg.welcome .sugs button').count()).toBeGreaterThan(0);
  });
});

describe('keyboard only', () => {
  it('reaches the button, opens, asks, picks a suggestion, closes with Esc and returns focus to the button', async () => {
    const page = await h.openDemo();
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
  });

  it('sends with Enter but not while an input method is composing, and Shift+Enter makes a new line', async () => {
    const page = await h.openDemo();
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
  });
});

describe('nothing is lost when a message cannot be answered', () => {
  it('shows the server’s reason for a refused message and puts the text back in the box', async () => {
    const page = await h.openDemo();
    await page.locator('govchat-assistant .launcher').click();
    const long = '身份证'.repeat(200);
    await page.locator('#gc-input').fill(long);
    await page.locator('#gc-input').press('Enter');
    const alert = page.locator('.msg.error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('消息太长了');
    expect(await page.locator('#gc-input').inputValue()).toBe(long);
    expect(await page.locator('.msg.citizen').count()).toBe(0);
  });

  it('says the network failed and keeps the question when the server cannot be reached', async () => {
    const page = await h.openDemo();
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
  });
});

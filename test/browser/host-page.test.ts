/**
 * The widget on other people's pages: a city site on another origin (CORS through
 * WIDGET_ORIGINS), a host page with hostile CSS, a site not on the list, English labels, and
 * answers carrying HTML and script from a knowledge base (test/fixtures/kb-hostile) — all of it
 * must show as text. The city's pages come from a second real HTTP server on another port
 * (another origin; http://localhost:<that port> is a third, not allowed), the assistant is the
 * real app on its own port.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/search/library.js';
import { testApp, type TestApp } from '../support/app.js';
import { axeAudit, blocking, ensureWidgetBuilt, launchChromium, listen, screenshot, type Listening } from './support.js';

const FIXTURE = 'test/fixtures/kb-hostile';
let browser: Browser;
let t: TestApp;
let srv: Listening;
let city: Listening;
let page: Page;
const pages = new Map<string, string>();
const dialogs: string[] = [];

beforeAll(async () => {
  await ensureWidgetBuilt();
  // The city's web server: serves whatever page a test puts in `pages`.
  city = await listen((req) => {
    const html = pages.get(new URL(req.url).pathname);
    return html ? new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } }) : new Response('not found', { status: 404 });
  });
  const [library, b] = await Promise.all([Library.open({ roots: [FIXTURE] }), launchChromium()]);
  browser = b;
  t = await testApp({ env: { KNOWLEDGE_DIR: FIXTURE, WIDGET_ORIGINS: city.origin }, overrides: { library } });
  srv = await listen(t.app.fetch);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await city?.close();
  await t?.dispose();
});

/** Puts `html` on the city's server at `path`, opens it (on `origin`) with empty storage; returns the requests made. */
async function host(path: string, html: string, origin = city.origin): Promise<string[]> {
  pages.set(path, html);
  await page.goto(origin + path);
  await page.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
  const requests: string[] = [];
  const onRequest = (r: { url(): string }) => requests.push(r.url());
  page.removeAllListeners('request');
  page.on('request', onRequest);
  await page.reload();
  await page.locator('govchat-assistant .launcher').waitFor();
  return requests;
}

const embed = (attrs = 'data-title="示例市政务服务"') => `<script src="${srv.origin}/widget.js" ${attrs} defer></script>`;

async function ask(text: string) {
  const replies = page.locator('.msg.bot[data-type]');
  const before = await replies.count();
  await page.locator('#gc-input').fill(text);
  await page.locator('#gc-input').press('Enter');
  await replies.nth(before).waitFor({ timeout: 15_000 });
  return replies.nth(before);
}

const HOSTILE = (script: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>
* { all: unset !important; font-size: 2px; line-height: 0 }
html { font-size: 2px !important }
div, section, ol, ul, li, p, h2, h3, form, label, span, a, svg { display: none !important }
button, textarea, input { visibility: hidden !important; opacity: 0 !important; pointer-events: none !important; width: 0 !important }
[hidden] { display: block !important }
body { transform: scale(.5) !important; overflow: hidden !important; filter: blur(2px) !important }
govchat-assistant { display: none !important; position: absolute !important; left: -9999px !important; transform: scale(0) !important; opacity: 0 !important }
</style></head>
<body><p id="own">城市网站自己的文字</p>${script}</body></html>`;

describe('a host page with hostile CSS', () => {
  it('still shows a usable widget, talks only to the assistant’s origin, and leaves the page’s own styles alone', async () => {
    const requests = await host('/hostile.html', HOSTILE(embed()));
    const launcher = page.locator('govchat-assistant .launcher');
    const box = (await launcher.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(100);
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    expect(await launcher.locator('span').first().evaluate((el) => getComputedStyle(el).fontSize)).toBe('17px');

    await launcher.click();
    const panel = (await page.locator('#gc-panel').boundingBox())!;
    expect(panel.width).toBe(400);
    expect(panel.height).toBeGreaterThan(500);
    const input = page.locator('#gc-input');
    expect(await input.isVisible()).toBe(true);
    expect(await input.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
    // Cross-origin: the city's page (its own port) asks the assistant, allowed by WIDGET_ORIGINS.
    const answer = await ask('网页安全测试事项要带什么材料');
    expect(await answer.locator('.cite-name').textContent()).toBe('来源：网页安全测试事项 · 申请材料');
    expect(await answer.locator('.bubble ol > li').count()).toBe(3);
    expect(await answer.locator('.bubble').evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');

    const widgetRequests = requests.filter((u) => !u.startsWith(`${city.origin}/hostile.html`));
    expect(widgetRequests.length).toBeGreaterThanOrEqual(2);
    for (const u of widgetRequests) expect(new URL(u).origin, u).toBe(srv.origin);
    // The widget put nothing into the page itself: no styles, no elements but its host.
    const pageSide = await page.evaluate(() => ({
      sheets: document.styleSheets.length,
      own: getComputedStyle(document.getElementById('own')!).fontSize,
      extra: [...document.querySelectorAll('body *, html > *')].map((e) => e.tagName.toLowerCase()).filter((n) => !['head', 'body', 'p', 'script'].includes(n)),
    }));
    expect(pageSide).toEqual({ sheets: 1, own: '2px', extra: ['govchat-assistant'] });
    await screenshot(page, 'hostile-css');
  });
});

describe('answers and messages carrying HTML or script', () => {
  it('shows every one of them as text: nothing runs, no element is made from them', async () => {
    await host('/city.html', `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>城市网站</title></head><body><main><h1>城市网站</h1></main>${embed()}</body></html>`);
    await page.locator('govchat-assistant .launcher').click();
    const materials = await ask('网页安全测试事项要带什么材料');
    const items = await materials.locator('.bubble ol > li').allTextContents();
    expect(items[0]).toBe(`身份证原件。<img src=x onerror="window.__xss='img-materials'">`);
    expect(items[1]).toBe(`**申请表**一份，见[下载链接](javascript:window.__xss='md-link')。`);
    expect(items[2]).toBe(`<a href="javascript:window.__xss='a'">点这里</a>`);
    const fee = await ask('网页安全测试事项要多少钱');
    expect(await fee.locator('.bubble').textContent()).toContain(`<img src=x onerror="window.__xss='faq'">`);
    await ask('网页安全测试事项的办理流程');
    // The citizen's own words are text too.
    const mine = `<img src=x onerror="window.__xss='citizen'"><script>window.__xss='citizen-script'</script>`;
    await ask(mine);
    expect(await page.locator('.msg.citizen .bubble').last().textContent()).toBe(mine);
    await page.waitForTimeout(300); // an onerror would have fired by now

    const found = await page.evaluate(() => {
      const root = document.querySelector('govchat-assistant')!.shadowRoot!;
      return {
        xss: (window as unknown as { __xss?: string }).__xss ?? null,
        made: [...root.querySelectorAll('img, script, iframe, object, embed, style:not(:first-child), b, strong, [onerror], [onload], [onmouseover]')].map((e) => e.tagName),
        svgs: root.querySelectorAll('svg').length,
        links: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      };
    });
    expect(found.xss).toBeNull();
    expect(found.made).toEqual([]);
    expect(found.svgs).toBe(1); // the launcher's own icon
    for (const href of found.links) expect(href).toMatch(/^https?:\/\//);
    expect(found.links).toContain(`${srv.origin}/guides/web-safety-probe#materials`);
    expect(dialogs).toEqual([]);
  });
});

describe('a site that is not in WIDGET_ORIGINS', () => {
  it('cannot use the assistant: the browser refuses the answer and the widget says the question was not sent', async () => {
    const before = await t.services.records.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await host('/other.html', `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>别的网站</title></head><body>${embed()}</body></html>`, `http://localhost:${city.port}`);
    await page.locator('govchat-assistant .launcher').click();
    await page.locator('#gc-input').fill('网页安全测试事项要带什么材料');
    await page.locator('#gc-input').press('Enter');
    const alert = page.locator('.msg.error[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('网络连接出现问题');
    expect(await page.locator('#gc-input').inputValue()).toBe('网页安全测试事项要带什么材料');
    const after = await t.services.records.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('English labels (data-lang="en") and a left-hand button (data-position="left")', () => {
  it('shows the widget’s own words in English, keeps the answers’ Chinese marked as Chinese, and passes axe', async () => {
    await host('/en.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>City site</title></head><body><main><h1>Example City</h1></main>${embed('data-title="Example City Services" data-lang="en" data-position="left"')}</body></html>`);
    const launcher = page.locator('govchat-assistant .launcher');
    expect(await launcher.textContent()).toBe('Ask us');
    expect((await launcher.boundingBox())!.x).toBeLessThan(100);
    await launcher.click();
    expect(await page.locator('#gc-title').textContent()).toBe('Example City Services');
    expect(await page.locator('button[role="switch"]').textContent()).toBe('Large text');
    expect(await page.locator('label[for="gc-input"]').textContent()).toBe('Type your question');
    expect(await page.locator('.root').getAttribute('lang')).toBe('en');
    const answer = await ask('网页安全测试事项要带什么材料');
    expect(await answer.locator('.cite-name').textContent()).toBe('Source: 网页安全测试事项 · Documents');
    expect(await answer.locator('.bubble').getAttribute('lang')).toBe('zh-CN');
    expect(await answer.locator('a.cite-link').textContent()).toContain('Read the whole guide');
    const audit = await axeAudit(page);
    console.log(`axe, English: ${audit.violations.length} violations (${audit.violations.map((v) => `${v.id}:${v.impact}`).join(', ') || 'none'})`);
    expect(blocking(audit.violations)).toEqual([]);
  });
});

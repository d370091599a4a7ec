/**
 * Browser tests: the machine's Chromium driven by playwright-core, against the real govchat app
 * on a real socket (port 0). One browser per test file; each test gets a fresh context (its own
 * storage), so nothing leaks between them.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildWidget } from '../../scripts/widget-build.mjs';
import { testApp, type TestApp, type TestAppOptions } from '../support/app.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';
import { ensureStaff } from '../support/staff.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, 'screenshots');
export const AXE = resolve(here, '../../node_modules/axe-core/axe.min.js');
let axeText: string | null = null;
const axeSource = () => (axeText ??= readFileSync(AXE, 'utf8'));

/**
 * Chromium with the flags of issue 8. Playwright gives every launch a fresh, temporary
 * user-data directory (and removes it on close).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with: apt-get install -y chromium fonts-wqy-microhei (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Builds widget.js once per test file (esbuild, well under a second). */
export async function ensureWidgetBuilt(): Promise<void> {
  await buildWidget();
}

export interface Listening {
  server: Server;
  port: number;
  origin: string;
  close(): Promise<void>;
}

/** Serves `fetch` on 127.0.0.1 and a free port. The handler may be set after listening. */
export async function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<Listening> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** axe-core on the widget (its shadow root included: axe walks open shadow roots). */
export async function axeAudit(page: Page, include: string[] = ['govchat-assistant']): Promise<{ violations: AxeViolation[]; passes: number; incomplete: number }> {
  // Evaluated through the DevTools protocol, not added as a <script>: the pages' CSP (script-src
  // 'self') rightly refuses an inline script, and the audit must not need it loosened.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource());
  return page.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[]; passes: unknown[]; incomplete: unknown[] }> } }).axe;
    const r = await axe.run({ include: sel.map((s) => [s]) }, { resultTypes: ['violations'] });
    return {
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
      passes: r.passes.length,
      incomplete: r.incomplete.length,
    };
  }, include);
}

/** Violations a citizen would be blocked by (axe impact serious or critical). */
export function blocking(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// ---- the demo page of a real app, for the widget tests ---------------------------------------

export interface DemoHarness {
  t: TestApp;
  srv: Listening;
  browser: Browser;
  /** The page most tests reuse (desktop size). */
  desktop: Page;
  /** Uncaught page errors since the last openDemo. */
  errors: string[];
  newPage(opts?: BrowserContextOptions): Promise<Page>;
  /** The demo page as a first-time visitor sees it (empty storage), on `page` (default: desktop). */
  openDemo(page?: Page): Promise<Page>;
  close(): Promise<void>;
}

export const DESKTOP = { width: 1280, height: 800 };

export interface DemoOptions extends TestAppOptions {
  /** The handoff on the real Redis (REDIS_URL or 127.0.0.1:6379) under a key prefix of its own, removed at close. */
  redis?: boolean;
  /** The test staff accounts (test/support/staff.ts), for logging in through the staff API. */
  staff?: boolean;
}

/**
 * The real govchat app on a real socket with its demo page, and one Chromium. New pages are
 * slow to make on a busy machine, so tests reuse one page per kind of device and start each
 * time from empty storage — all the widget keeps, so a new browser is no different.
 */
export async function startDemo(opts: DemoOptions = {}): Promise<DemoHarness> {
  await ensureWidgetBuilt();
  const { redis, staff, ...appOpts } = opts;
  const redisUrl = redis ? await testRedisUrl() : null;
  const prefix = testPrefix();
  const env = { ...appOpts.env, ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: prefix } : {}) };
  const [t, browser] = await Promise.all([testApp({ ...appOpts, env }), launchChromium()]);
  if (staff) await ensureStaff(t.services);
  const srv = await listen(t.app.fetch);
  const errors: string[] = [];
  const newPage = async (opts: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', ...opts });
    const page = await context.newPage();
    // Fail a step with its own message well inside the test's time, not as a bare test timeout.
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  };
  const desktop = await newPage();
  return {
    t,
    srv,
    browser,
    desktop,
    errors,
    newPage,
    openDemo: async (page = desktop) => {
      if (!page.url().startsWith(srv.origin)) await page.goto(srv.origin + '/');
      await page.evaluate(() => (localStorage.clear(), sessionStorage.clear()));
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      await page.goto(srv.origin + '/');
      await page.locator('govchat-assistant .launcher').waitFor();
      errors.length = 0;
      return page;
    },
    close: async () => {
      await browser.close();
      await srv.close();
      await t.dispose();
      if (redisUrl) await deletePrefix(redisUrl, prefix);
    },
  };
}

/** Types a question into the widget, sends it with Enter and waits for the finished reply. */
export async function ask(page: Page, text: string) {
  const replies = page.locator('.msg.bot[data-type]');
  const before = await replies.count();
  await page.locator('#gc-input').fill(text);
  await page.locator('#gc-input').press('Enter');
  await replies.nth(before).waitFor({ timeout: 15_000 });
  return replies.nth(before);
}

/** The element focused inside the widget's shadow root, described. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const root = document.querySelector('govchat-assistant')!.shadowRoot!;
    const el = root.activeElement as HTMLElement | null;
    return el ? { tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, text: (el.textContent ?? '').trim() } : null;
  });

/** Waits for the panel's opening animation, so its box is where it comes to rest. */
export const settled = (page: Page) =>
  page.waitForFunction(() => document.querySelector('govchat-assistant')!.shadowRoot!.querySelector('#gc-panel')!.getAnimations().length === 0);

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, WIDGET_GZIP_LIMIT } from '../../../scripts/widget-build.mjs';
import { testApp, type TestApp } from '../../../test/support/app.js';
import { assetRoutes } from './assets.js';

const dir = mkdtempSync(join(tmpdir(), 'govchat-widget-'));
const file = join(dir, 'widget.js');
let built: { bytes: number; gzipBytes: number };
const app = new Hono().route('/', assetRoutes({ widgetFile: file }));
let t: TestApp;

beforeAll(async () => {
  built = await buildWidget({ outfile: file });
  // The whole app serves the default build, dist/widget.js, as `npm start` does.
  await buildWidget();
  t = await testApp();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.dispose();
});

describe('the widget bundle (npm run build)', () => {
  it(`stays under ${WIDGET_GZIP_LIMIT / 1024} kB gzipped`, () => {
    expect(built.gzipBytes).toBeGreaterThan(1000);
    expect(built.gzipBytes).toBeLessThan(WIDGET_GZIP_LIMIT);
  });

  it('never turns text into markup or code: no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval', () => {
    const code = readFileSync(file, 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'createContextualFragment', 'DOMParser']) {
      expect(code, sink).not.toContain(sink);
    }
    // ASCII only, so a GBK page reads the script as it was written.
    expect(/^[\x00-\x7f]*$/.test(code)).toBe(true);
  });
});

describe('GET /widget.js', () => {
  it('serves the script with a day of caching, an ETag and cross-origin embedding allowed', async () => {
    const res = await app.request('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400, stale-while-revalidate=604800');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{22}"$/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(readFileSync(file, 'utf8'));
  });

  it('answers 304 to a matching If-None-Match, and is immutable when asked for by version', async () => {
    const etag = (await app.request('/widget.js')).headers.get('etag')!;
    const again = await app.request('/widget.js', { headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const versioned = await app.request(`/widget.js?v=${etag.slice(1, -1)}`);
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const stale = await app.request('/widget.js?v=old');
    expect(stale.headers.get('cache-control')).toContain('max-age=86400');
  });

  it('sends it gzipped to browsers that accept it', async () => {
    const res = await app.request('/widget.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    expect(body.length).toBe(built.gzipBytes);
    expect(gunzipSync(body).toString('utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('picks up a rebuild while the server runs (new ETag)', async () => {
    const before = (await app.request('/widget.js')).headers.get('etag');
    const original = readFileSync(file);
    try {
      writeFileSync(file, '/* rebuilt */ console.log(1);\n');
      const res = await app.request('/widget.js');
      expect(res.headers.get('etag')).not.toBe(before);
      expect(await res.text()).toContain('rebuilt');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('answers 503 with a script saying how to build it when there is no build (the server still runs)', async () => {
    const missing = new Hono().route('/', assetRoutes({ widgetFile: join(dir, 'nope.js') }));
    const res = await missing.request('/widget.js');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/javascript');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('npm run build');
    expect((await missing.request('/')).status).toBe(200);
  });
});

describe('GET / (the demo page)', () => {
  it('embeds the widget exactly as a city site would, and links only to guides that exist', async () => {
    const res = await t.app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<script src="/widget.js" data-title="示例市政务服务" defer></script>');
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    const links = [...html.matchAll(/href="(\/guides\/[^"]+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    for (const href of links) expect((await t.app.request(href)).status, href).toBe(200);
    const js = await t.app.request('/widget.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('application/javascript');
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../scripts/widget-build.mjs';
import { testApp, postJson, type TestApp } from '../../test/support/app.js';
import { ensureStaff, staffPassword, STAFF } from '../../test/support/staff.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await ensureStaff(t.services);
});
afterAll(() => t.dispose());

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v] as const));

describe('secure headers', () => {
  it('sends a CSP with same-origin scripts only (no inline, no eval) on pages and API answers', async () => {
    for (const path of ['/', '/guides/id-card-renewal', '/api/guides/id-card-renewal', '/healthz', '/openapi.json']) {
      const res = await t.app.request(path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy');
      expect(csp, path).toBeTruthy();
      const d = directives(csp!);
      expect(d.get('script-src')).toEqual(["'self'"]);
      expect(d.get('default-src')).toEqual(["'self'"]);
      expect(d.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
      expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
      expect(d.get('connect-src')).toEqual(["'self'"]);
      expect(d.get('object-src')).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-eval|https?:/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });

  it('pages it serves have no inline script for the CSP to block', async () => {
    for (const path of ['/', '/guides/id-card-renewal']) {
      const html = await (await t.app.request(path)).text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      for (const [, attrs, body] of scripts) {
        expect(attrs, path).toMatch(/\bsrc="\//);
        expect(body.trim(), path).toBe('');
      }
      expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers either
    }
  });

  it('the widget bundle needs no eval (script-src without unsafe-eval works for it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govchat-widget-'));
    try {
      const outfile = join(dir, 'widget.js');
      await buildWidget({ outfile });
      const js = readFileSync(outfile, 'utf8');
      expect(js.length).toBeGreaterThan(1000);
      expect(js).not.toMatch(/\beval\(|new Function\(|setTimeout\(\s*["'`]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps /widget.js loadable by city sites (Cross-Origin-Resource-Policy: cross-origin)', async () => {
    const res = await t.app.request('/widget.js');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const api = await t.app.request('/api/guides/id-card-renewal');
    expect(api.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('CSRF for staff cookies', () => {
  async function cookieLogin(): Promise<string> {
    const res = await postJson(t.app, '/api/staff/login', { username: STAFF.police.username, password: staffPassword('police') });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    return setCookie.split(';')[0];
  }

  it('refuses a cookie-authenticated change without X-Requested-With: govchat (403 csrf)', async () => {
    const cookie = await cookieLogin();
    const res = await postJson(t.app, '/api/staff/conversations/c_nope/claim', {}, { cookie });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf');
    const wrong = await postJson(t.app, '/api/staff/logout', {}, { cookie, 'x-requested-with': 'XMLHttpRequest' });
    expect(wrong.status).toBe(403);
    const admin = await postJson(t.app, '/api/admin/staff', { username: 'x' }, { cookie });
    expect(admin.status).toBe(403);
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe('csrf');
  });

  it('lets the same request through with the header, and GETs and bearer tokens without it', async () => {
    const cookie = await cookieLogin();
    const withHeader = await postJson(t.app, '/api/staff/conversations/c_nope/claim', {}, { cookie, 'x-requested-with': 'govchat' });
    expect(withHeader.status).not.toBe(403);
    expect((await t.app.request('/api/staff/me', { headers: { cookie } })).status).toBe(200);
    const login = (await (await postJson(t.app, '/api/staff/login', { username: STAFF.police.username, password: staffPassword('police') })).json()) as { token: string };
    const bearer = await postJson(t.app, '/api/staff/conversations/c_nope/claim', {}, { authorization: `Bearer ${login.token}` });
    expect(bearer.status).not.toBe(403);
    // Logging in needs no header: there is no session cookie yet.
    const fresh = await postJson(t.app, '/api/staff/login', { username: STAFF.police.username, password: staffPassword('police') });
    expect(fresh.status).toBe(200);
  });
});

import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, testApp, type TestApp } from '../../test/support/app.js';
import { ConfigError, loadConfig } from '../config.js';
import { normalizeOrigin, widgetCors } from './cors.js';

const CITY = 'https://www.example.gov.cn';
let t: TestApp;
let closed: TestApp;
beforeAll(async () => {
  t = await testApp({ env: { WIDGET_ORIGINS: `${CITY}, http://localhost:8080/` } });
  closed = await testApp();
});
afterAll(async () => {
  await t.dispose();
  await closed.dispose();
});

const preflight = (app: TestApp['app'], origin: string, path = '/api/chat') =>
  app.request(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-session-id' } });

describe('CORS for the widget on the city’s sites (WIDGET_ORIGINS)', () => {
  it('answers the preflight of a listed origin: methods, the X-Session-Id header, no credentials', async () => {
    const res = await preflight(t.app, CITY);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(CITY);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(expect.arrayContaining(['content-type', 'x-session-id', 'last-event-id']));
    expect(res.headers.get('access-control-allow-methods')?.split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH']));
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('lets a listed origin read answers and errors alike (the widget shows the error message)', async () => {
    const ok = await postJson(t.app, '/api/chat', { message: '身份证丢了怎么办' }, { origin: CITY });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CITY);
    expect(ok.headers.get('vary')).toContain('Origin');
    const bad = await postJson(t.app, '/api/chat', { message: '' }, { origin: CITY });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe(CITY);
    const missing = await t.app.request('/api/nothing-here', { headers: { origin: CITY } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(CITY);
  });

  it('lets a listed origin read the streams too: a streamed answer and the session’s event stream', async () => {
    const streamed = await t.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', origin: CITY }, body: JSON.stringify({ message: '护照怎么办' }) });
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.headers.get('access-control-allow-origin')).toBe(CITY);
    const text = await streamed.text();
    const sessionId = (JSON.parse(/event: done\ndata: (.+)/.exec(text)![1]) as { sessionId: string }).sessionId;
    const events = await t.app.request(`/api/sessions/${sessionId}/events`, { headers: { origin: CITY, 'x-session-id': sessionId } });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(events.headers.get('access-control-allow-origin')).toBe(CITY);
    expect(events.headers.get('vary')).toContain('Origin');
    await events.body?.cancel();
  });

  it('matches the configured origin as an origin: a trailing slash in the list is fine, case of the host too', async () => {
    expect((await preflight(t.app, 'http://localhost:8080')).headers.get('access-control-allow-origin')).toBe('http://localhost:8080');
    expect(normalizeOrigin('HTTPS://WWW.Example.GOV.cn/')).toBe(CITY);
    expect(normalizeOrigin('https://www.example.gov.cn/path')).toBeNull();
    expect(normalizeOrigin('ftp://www.example.gov.cn')).toBeNull();
  });

  it('tells any other origin nothing, on the preflight and on the request', async () => {
    for (const origin of ['https://evil.example', 'https://www.example.gov.cn.evil.example', 'http://www.example.gov.cn', 'null']) {
      expect((await preflight(t.app, origin)).headers.get('access-control-allow-origin'), origin).toBeNull();
      const res = await postJson(t.app, '/api/chat', { message: '你好' }, { origin });
      expect(res.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('allows no cross-origin use at all when WIDGET_ORIGINS is empty (the default)', async () => {
    expect((await preflight(closed.app, CITY)).headers.get('access-control-allow-origin')).toBeNull();
    const res = await postJson(closed.app, '/api/chat', { message: '你好' }, { origin: CITY });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('only covers /api/*: pages and the script itself need no CORS', async () => {
    const res = await t.app.request('/guides/id-card-renewal', { headers: { origin: CITY } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses to start with a WIDGET_ORIGINS entry that is not an origin, naming the variable and the entry', () => {
    for (const bad of ['https://www.example.gov.cn/widget', 'www.example.gov.cn', 'https://a.example,javascript:alert(1)', 'https://user@a.example']) {
      const config = loadConfig({ WIDGET_ORIGINS: bad });
      expect(() => widgetCors(config.WIDGET_ORIGINS), bad).toThrow(ConfigError);
      expect(() => widgetCors(config.WIDGET_ORIGINS), bad).toThrow(/WIDGET_ORIGINS=.*must be an origin/);
    }
    expect(() => widgetCors(loadConfig({ WIDGET_ORIGINS: 'https://a.example, http://127.0.0.1:8080/' }).WIDGET_ORIGINS)).not.toThrow();
  });

  it('sets its headers on a response whose headers are immutable too (a redirect, a response passed through from fetch)', async () => {
    const app = new Hono().use(widgetCors([CITY])).get('/moved', () => Response.redirect('https://www.example.gov.cn/new', 302));
    const res = await app.request('/moved', { headers: { origin: CITY } });
    expect(res.status).toBe(302);
    expect(res.headers.get('access-control-allow-origin')).toBe(CITY);
    expect(res.headers.get('vary')).toContain('Origin');
  });
});

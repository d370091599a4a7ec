import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { silentLogger } from './platform/logger.js';
import { createServices } from './services.js';

const services = await createServices(loadConfig({ LOG_LEVEL: 'silent' }), silentLogger);
const app = createApp(services);

describe('HTTP shell', () => {
  it('GET /healthz answers 200 once ready', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
  });

  it('GET /api/guides/:id returns a whole guide', async () => {
    const res = await app.request('/api/guides/id-card-renewal');
    expect(res.status).toBe(200);
    const g = await res.json();
    expect(g).toMatchObject({ id: 'id-card-renewal', title: '居民身份证换领', department: '公安', url: '/guides/id-card-renewal' });
    expect(g.sections.map((s: { aspect: string }) => s.aspect)).toContain('fee');
    expect(g.faq.length).toBeGreaterThanOrEqual(3);
  });

  it('answers 404 with the error shape for an unknown guide and an unknown route', async () => {
    for (const path of ['/api/guides/no-such-guide', '/api/nothing-here']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body.error.code).toBe('not_found');
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('GET /api/guides?department= lists that department only', async () => {
    const res = await app.request(`/api/guides?department=${encodeURIComponent('公安')}`);
    const body = await res.json();
    expect(body.total).toBeGreaterThan(0);
    expect(body.items.every((g: { department: string }) => g.department === '公安')).toBe(true);
    expect(body.departments).toContain('公安');
  });

  it('answers 400 with the error shape for a bad query', async () => {
    const res = await app.request('/api/guides?limit=lots');
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_request');
  });

  it('gives every response a request id', async () => {
    const res = await app.request('/healthz');
    expect(res.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });
});

/**
 * The OpenAPI document against the real server (issue 11 §6): every route the app answers is in
 * /openapi.json, and real responses of many routes — successes and errors — validate against the
 * response schemas compiled from the document itself (JSON Schema → zod), not against the zod
 * schemas in the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testApp, postJson, type TestApp } from '../support/app.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';

type Json = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components?: { schemas?: Record<string, Json> };
}

let t: TestApp;
let doc: Doc;

beforeAll(async () => {
  t = await testApp();
  await ensureStaff(t.services);
  doc = (await (await t.app.request('/openapi.json')).json()) as Doc;
});
afterAll(() => t.dispose());

/** Replaces every $ref to a component by the component (the document has no cycles). */
function deref(s: unknown, depth = 0): unknown {
  if (depth > 40) throw new Error('schema nests too deep (a cycle?)');
  if (Array.isArray(s)) return s.map((x) => deref(x, depth + 1));
  if (!s || typeof s !== 'object') return s;
  const o = s as Json;
  if (typeof o.$ref === 'string') {
    const name = o.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${o.$ref}`);
    return deref(target, depth + 1);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deref(v, depth + 1)]));
}

/** The template of the document that a concrete path falls under: /api/guides/x → /api/guides/{id}. */
function templateOf(path: string): string {
  const hit = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  if (!hit) throw new Error(`no path in the document for ${path}`);
  return hit;
}

/** Checks a real response against the document: its status is documented, its JSON body fits the schema. */
async function conforms(method: string, path: string, res: Response): Promise<unknown> {
  const template = templateOf(path.split('?')[0]);
  const op = doc.paths[template][method.toLowerCase()];
  expect(op, `${method} ${template} documented`).toBeTruthy();
  const documented = op.responses[String(res.status)];
  expect(documented, `${method} ${template} documents status ${res.status}`).toBeTruthy();
  const schema = documented.content?.['application/json']?.schema;
  expect(schema, `${method} ${template} ${res.status} has a JSON schema`).toBeTruthy();
  const body = await res.json();
  const validator = z.fromJSONSchema(deref(schema) as Parameters<typeof z.fromJSONSchema>[0]);
  const r = validator.safeParse(body);
  expect(r.success, `${method} ${path} ${res.status}: ${r.success ? '' : JSON.stringify(r.error.issues.slice(0, 3))}`).toBe(true);
  return body;
}

describe('OpenAPI document', () => {
  it('describes every route the app answers', () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    const missing = [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
  });

  it('documents the shared refusals (413, 429 with Retry-After, 503) on every API operation', () => {
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/'))) {
      for (const [method, op] of Object.entries(ops)) {
        for (const status of ['413', '429', '503']) {
          const schema = deref(op.responses[status]?.content?.['application/json']?.schema) as Json | undefined;
          expect(schema?.properties, `${method} ${path} ${status}`).toHaveProperty('error');
        }
      }
    }
  });

  it('compiles to validators that reject what does not fit (so passing means something)', () => {
    const reply = z.fromJSONSchema(deref(doc.components!.schemas!.Reply) as Parameters<typeof z.fromJSONSchema>[0]);
    expect(reply.safeParse({ sessionId: 1 }).success).toBe(false);
    const error = z.fromJSONSchema(deref(doc.components!.schemas!.Error) as Parameters<typeof z.fromJSONSchema>[0]);
    expect(error.safeParse({ error: { code: 'x', message: 'y' } }).success).toBe(true);
    expect(error.safeParse({ error: { code: 'x' } }).success).toBe(false);
    expect(error.safeParse({ message: 'y' }).success).toBe(false);
  });

  it('real responses of citizen routes validate against the document, errors included', async () => {
    const a = (await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', { message: '身份证丢了怎么补办' }))) as { sessionId: string };
    const sid = a.sessionId;
    await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', { message: '要多少钱', sessionId: sid }));
    await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', { message: 42 }));
    await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', '{not json'));
    await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', { message: '字'.repeat(5000) }));
    const form = (await conforms('POST', '/api/chat', await postJson(t.app, '/api/chat', { message: '我要办居住证', sessionId: sid }))) as { form: { draftId: string } | null };
    await conforms('GET', '/api/guides/id-card-renewal', await t.app.request('/api/guides/id-card-renewal'));
    await conforms('GET', '/api/guides/nope', await t.app.request('/api/guides/nope'));
    await conforms('GET', '/api/search?q=公积金', await t.app.request(`/api/search?q=${encodeURIComponent('公积金')}`));
    await conforms('GET', `/api/sessions/${sid}/messages`, await t.app.request(`/api/sessions/${sid}/messages`, { headers: { 'x-session-id': sid } }));
    await conforms('GET', `/api/sessions/${sid}/messages`, await t.app.request(`/api/sessions/${sid}/messages`));
    if (form.form) await conforms('GET', `/api/forms/${form.form.draftId}`, await t.app.request(`/api/forms/${form.form.draftId}`, { headers: { 'x-session-id': sid } }));
    await conforms('POST', '/api/ratings', await postJson(t.app, '/api/ratings', { sessionId: sid, level: 5 }));
    await conforms('POST', '/api/ratings', await postJson(t.app, '/api/ratings', { sessionId: sid, level: 9 }));
    await conforms('GET', '/healthz', await t.app.request('/healthz'));
    await conforms('GET', '/readyz', await t.app.request('/readyz'));
  });

  it('real responses of staff and admin routes validate against the document', async () => {
    await conforms('POST', '/api/staff/login', await postJson(t.app, '/api/staff/login', { username: 'wang', password: 'wrong-password' }));
    const headers = await staffHeaders(t.app, 'admin');
    const a = (await (await postJson(t.app, '/api/chat', { message: '转人工' })).json()) as { sessionId: string };
    void a;
    await conforms('GET', '/api/staff/me', await t.app.request('/api/staff/me', { headers }));
    await conforms('GET', '/api/staff/me', await t.app.request('/api/staff/me'));
    const queue = (await conforms('GET', '/api/staff/queue', await t.app.request('/api/staff/queue', { headers }))) as { items: { conversationId: string }[] };
    const id = queue.items[0].conversationId;
    await conforms('POST', `/api/staff/conversations/${id}/claim`, await postJson(t.app, `/api/staff/conversations/${id}/claim`, {}, headers));
    await conforms('POST', `/api/staff/conversations/${id}/claim`, await postJson(t.app, `/api/staff/conversations/${id}/claim`, {}, headers));
    await conforms('POST', `/api/staff/conversations/${id}/messages`, await postJson(t.app, `/api/staff/conversations/${id}/messages`, { text: '您好，我是工作人员' }, headers));
    await conforms('GET', `/api/staff/conversations/${id}`, await t.app.request(`/api/staff/conversations/${id}`, { headers }));
    await conforms('POST', `/api/staff/conversations/${id}/close`, await postJson(t.app, `/api/staff/conversations/${id}/close`, {}, headers));
    await conforms('GET', '/api/admin/stats', await t.app.request('/api/admin/stats', { headers }));
    await conforms('GET', '/api/admin/unanswered', await t.app.request('/api/admin/unanswered', { headers }));
    await conforms('GET', '/api/admin/staff', await t.app.request('/api/admin/staff', { headers }));
    const agent = await staffHeaders(t.app, 'police');
    await conforms('GET', '/api/admin/staff', await t.app.request('/api/admin/staff', { headers: agent }));
  });
});

describe('refusals of the shared middleware', () => {
  it('429 and 413 from a route that does not declare them itself validate against the document', async () => {
    const small = await testApp({ env: { TRUST_PROXY: 'true', RATE_LIMIT_IP_PER_MIN: '2', MAX_BODY_BYTES: '1024' } });
    try {
      const from = { 'x-forwarded-for': '198.51.100.77' };
      await small.app.request('/api/guides/id-card-renewal', { headers: from });
      await small.app.request('/api/guides/id-card-renewal', { headers: from });
      const limited = await small.app.request('/api/guides/id-card-renewal', { headers: from });
      expect(limited.status).toBe(429);
      await conforms('GET', '/api/guides/id-card-renewal', limited);
      const big = await postJson(small.app, '/api/ratings', { sessionId: 'x', level: 5, comment: '好'.repeat(1000) }, { 'x-forwarded-for': '198.51.100.78' });
      expect(big.status).toBe(413);
      await conforms('POST', '/api/ratings', big);
    } finally {
      await small.dispose();
    }
  });
});

describe('API reference page', () => {
  it('is served at /docs from the document, with no script and nothing from another origin', async () => {
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    for (const p of ['/api/chat', '/api/staff/queue', '/readyz', '/metrics', '/api/sessions/{id}/events']) expect(html).toContain(`<code>${p.replace(/[{}]/g, (c) => c)}</code>`);
    expect(html).toContain('ChatRequest');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

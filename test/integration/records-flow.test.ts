/**
 * The records capability end to end over HTTP, on the real engine and both databases: a citizen
 * asks (answered and unanswered), rates 好差评, the 差评 becomes a follow-up the department
 * answers, the unanswered list and the stats show it, and an export is masked and audited.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { sharedLibrary } from '../support/library.js';

const post = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe.each(DIALECTS)('records over HTTP on %s', (dialect) => {
  let t: TestDatabase;
  let services: Services;
  let app: App;
  let admin: string;
  let agentGa: string;
  let agentRs: string;

  const login = async (username: string, password: string) => (await (await app.request('/api/staff/login', post({ username, password }))).json()).token as string;
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    services = await createServices(loadConfig({ LOG_LEVEL: 'silent', GOVCHAT_SECRET: 'flow-secret-0123456789abcdef', GOVCHAT_ADMIN_PASSWORD: 'admin-pass-123' }), silentLogger, {
      library: await sharedLibrary(),
      ...t.overrides,
    });
    app = createApp(services);
    await services.staff.accounts.create({ username: 'ga', role: 'agent', departments: ['公安'], password: 'ga-pass-1234' }, { actor: 'test' });
    await services.staff.accounts.create({ username: 'rs', role: 'agent', departments: ['人社'], password: 'rs-pass-1234' }, { actor: 'test' });
    admin = await login('admin', 'admin-pass-123');
    agentGa = await login('ga', 'ga-pass-1234');
    agentRs = await login('rs', 'rs-pass-1234');
  });
  afterAll(async () => {
    await services?.close();
    await t?.dispose();
  });

  it('a no_answer reply lands in the unanswered list, masked, through the engine’s onTurn hook', async () => {
    const r = await (await app.request('/api/chat', post({ message: '申请专利要多少钱，我电话13912345678' }))).json();
    expect(r.type).toBe('no_answer');
    const again = await (await app.request('/api/chat', post({ message: '申请专利要什么材料' }))).json();
    expect(again.type).toBe('no_answer');
    const list = await (await app.request('/api/admin/unanswered', as(admin))).json();
    expect(list.total).toBe(2);
    const group = list.items.find((g: { samples: string[] }) => g.samples.some((s) => s.includes('专利')));
    expect(group.count).toBe(2);
    expect(JSON.stringify(list)).not.toContain('13912345678');
    expect(group.samples.join()).toContain('139****5678');
  });

  it('好差评 over HTTP: rated with X-Session-Id, replaced within 24 h; a 差评 becomes a follow-up for the answer’s department', async () => {
    const a = await (await app.request('/api/chat', post({ message: '身份证丢了怎么补办' }))).json();
    expect(a.type).toBe('answer');
    const first = await app.request('/api/ratings', post({ messageId: a.messageId, level: 4 }, { 'x-session-id': a.sessionId }));
    expect(first.status).toBe(201);
    expect((await first.json()).levelName).toBe('满意');
    const second = await app.request('/api/ratings', post({ sessionId: a.sessionId, messageId: a.messageId, level: 1, comment: '材料说得不清楚' }));
    expect(second.status).toBe(200);
    const body = await second.json();
    expect(body).toMatchObject({ level: 1, levelName: '非常不满意', replaced: true, followup: { status: 'open' } });

    const bad = await app.request('/api/ratings', post({ sessionId: a.sessionId, level: 9 }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_request');
    expect((await app.request('/api/ratings', post({ level: 3 }))).status).toBe(400);
    expect((await app.request('/api/ratings', post({ sessionId: 'unknown-session-0000000', level: 3 }))).status).toBe(404);

    // The 公安 agent sees it (the answer was from a 公安 guide); the 人社 agent does not.
    const mine = await (await app.request('/api/staff/followups', as(agentGa))).json();
    const item = mine.items.find((f: { id: string }) => f.id === body.followup.id);
    expect(item).toMatchObject({ department: '公安', comment: '材料说得不清楚', question: '身份证丢了怎么补办', overdue: false });
    expect((await (await app.request('/api/staff/followups', as(agentRs))).json()).items).toEqual([]);
    expect((await app.request(`/api/staff/followups/${item.id}`, as(agentRs))).status).toBe(403);

    // The low rating also lands in the unanswered list.
    const list = await (await app.request('/api/admin/unanswered', as(admin))).json();
    expect(list.items.some((g: { reasons: { low_rating: number } }) => g.reasons.low_rating === 1)).toBe(true);

    // Closing needs an answer; the answer reaches the citizen's conversation.
    const noAnswer = await app.request(`/api/staff/followups/${item.id}/close`, { ...post({ action: '已核实' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${agentGa}` } });
    expect(noAnswer.status).toBe(400);
    expect((await noAnswer.json()).error.code).toBe('answer_required');
    const closed = await app.request(`/api/staff/followups/${item.id}/close`, {
      ...post({ action: '已核实，指南已补充', answer: '您好，补领身份证需带户口簿，已在指南中写清楚，感谢您的反馈。' }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentGa}` },
    });
    expect(closed.status).toBe(200);
    expect((await closed.json()).followup).toMatchObject({ status: 'closed', handledBy: 'ga' });
    const conv = await services.records.conversationBySession(a.sessionId);
    const last = (await services.records.listMessages(conv!.id)).at(-1)!;
    expect(last).toMatchObject({ role: 'staff', author: 'ga', text: '您好，补领身份证需带户口簿，已在指南中写清楚，感谢您的反馈。' });
  });

  it('stats reflect it, for admins and (their department only) for agents', async () => {
    const all = await (await app.request('/api/admin/stats', as(admin))).json();
    expect(all).toMatchObject({ conversations: 3, asked: 3, answered: 1, ratings: { '1': 1 }, ratingCount: 1, satisfaction: 0, followups: { open: 0, closed: 1 } });
    expect(all.byDay.length).toBeGreaterThanOrEqual(30);
    expect(all.topServices[0]).toMatchObject({ guideId: 'id-card-replacement', answers: 1 });
    const ga = await (await app.request('/api/admin/stats', as(agentGa))).json();
    expect(ga).toMatchObject({ departments: ['公安'], conversations: 1, answered: 1 });
    expect((await app.request(`/api/admin/stats?department=${encodeURIComponent('人社')}`, as(agentGa))).status).toBe(403);
    const bad = await app.request('/api/admin/stats?from=2026-12-01&to=2026-11-01', as(admin));
    expect(bad.status).toBe(400);
  });

  it('exports are masked CSV and audited', async () => {
    const res = await app.request('/api/admin/export/conversations.csv', as(admin));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="conversations-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    expect(text).not.toContain('13912345678');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r['首个问题'])).toContain('申请专利要多少钱，我电话139****5678');
    const ratings = parse(await (await app.request('/api/admin/export/ratings.csv', as(admin))).text(), { bom: true, columns: true }) as Record<string, string>[];
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ 等级: '1', 差评回访: '已办结' });
    const audit = await (await app.request('/api/admin/audit?action=export.', as(admin))).json();
    expect(audit.items.map((e: { action: string; actor: string }) => `${e.actor}:${e.action}`).sort()).toEqual(['admin:export.conversations', 'admin:export.ratings']);
  });

  it('every new route is in /openapi.json with the staff security schemes', async () => {
    const doc = await (await app.request('/openapi.json')).json();
    for (const p of ['/api/staff/login', '/api/staff/logout', '/api/staff/me', '/api/staff/followups', '/api/staff/followups/{id}/close', '/api/ratings', '/api/admin/stats', '/api/admin/unanswered', '/api/admin/export/ratings.csv', '/api/admin/staff', '/api/admin/audit']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.components.securitySchemes.staffBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

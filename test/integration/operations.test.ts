/**
 * /healthz, /readyz and /metrics (issue 11 §5) on the real app: readiness names each dependency
 * and answers 503 with the error shape when one is away or the instance drains; the metrics use
 * route patterns, never raw paths, and count answers by type, retrieval, queues and waits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis.js';
import { testApp, postJson, type TestApp } from '../support/app.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';

const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.dispose();
});

async function app(env: Record<string, string> = {}) {
  const t = await testApp({ env });
  apps.push(t);
  return t;
}

describe('health and readiness', () => {
  it('answers ready with each check when the index and the database are there', async () => {
    const t = await app();
    expect(await (await t.app.request('/healthz')).json()).toEqual({ status: 'ok' });
    const res = await t.app.request('/readyz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'index']);
    expect(body.checks.index).toMatchObject({ ok: true });
    expect(body.checks.index.detail).toMatch(/\d+ guides/);
    expect(body.checks.database).toMatchObject({ ok: true, detail: 'sqlite' });
  });

  it('answers 503 naming Redis when REDIS_URL points at a Redis that is not there, and still answers chat', async () => {
    const port = await freePort();
    const t = await app({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const res = await t.app.request('/readyz');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }>; error: { code: string; message: string } };
    expect(body.status).toBe('not_ready');
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toContain('redis');
    expect(body.checks.redis.ok).toBe(false);
    expect(body.checks.database.ok).toBe(true);
    expect((await postJson(t.app, '/api/chat', { message: '身份证丢了怎么办' })).status).toBe(200);
  });

  it('answers 503 draining once a shutdown has begun', async () => {
    const t = await app();
    t.services.lifecycle.draining = true;
    const res = await t.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { status: string; error: { code: string } })).toMatchObject({ status: 'draining', error: { code: 'draining' } });
    t.services.lifecycle.draining = false;
  });
});

describe('metrics', () => {
  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const t = await app({ METRICS_TOKEN: 'metrics-token-0123456789' });
    const none = await t.app.request('/metrics');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await t.app.request('/metrics', { headers: { authorization: 'Bearer metrics-token-wrong-wrong' } })).status).toBe(401);
    const ok = await t.app.request('/metrics', { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('govchat_http_requests_total');
  });

  it('exposes Prometheus metrics by route pattern, answers by type, retrieval latency and the handoff queues', async () => {
    const t = await app();
    await ensureStaff(t.services);
    await t.app.request('/api/guides/id-card-renewal');
    await t.app.request('/api/guides/no-such-guide');
    const a = (await (await postJson(t.app, '/api/chat', { message: '身份证丢了怎么补办' })).json()) as { sessionId: string };
    await postJson(t.app, '/api/chat', { message: '转人工', sessionId: a.sessionId });
    await t.app.request(`/api/sessions/${a.sessionId}/messages`, { headers: { 'x-session-id': a.sessionId } });

    const res = await t.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/govchat_http_requests_total\{[^}]*method="GET",route="\/api\/guides\/:id",status="200"[^}]*\} [1-9]/);
    expect(text).toMatch(/govchat_http_requests_total\{[^}]*route="\/api\/guides\/:id",status="404"/);
    expect(text).toMatch(/govchat_http_request_duration_seconds_bucket\{[^}]*route="\/api\/chat"/);
    // Never a raw path with an id in it.
    expect(text).not.toContain('id-card-renewal');
    expect(text).not.toContain(a.sessionId);
    expect(text).toMatch(/route="\/api\/sessions\/:id\/messages"/);
    expect(text).toMatch(/govchat_answers_total\{[^}]*type="answer",channel="web"[^}]*\} [1-9]/);
    expect(text).toMatch(/govchat_answers_total\{[^}]*type="handoff"/);
    // The records' writes, grouped by the SQLite thread: each request waited for some.
    expect(text).toMatch(/govchat_sqlite_batch_seconds_count\{[^}]*\} [1-9]/);
    const count = Number(/govchat_sqlite_batch_seconds_count\{[^}]*\} (\d+)/.exec(text)![1]);
    expect(Number(/govchat_sqlite_statements_total\{[^}]*\} (\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(count);
    expect(text).toMatch(/govchat_retrieval_duration_seconds_count\{[^}]*\} [1-9]/);
    expect(text).toMatch(/govchat_handoff_queue_length\{[^}]*department="[^"]+"[^}]*\} 1/);
    expect(text).toMatch(/govchat_handoff_longest_wait_seconds\{/);
    expect(text).toContain('govchat_llm_fallbacks_total');
    expect(text).toContain('govchat_handoff_wait_seconds');
    expect(text).toContain('govchat_limit_refusals_total');
    expect(text).toMatch(/govchat_process_resident_memory_bytes/);

    // A claim records the citizen's wait.
    const headers = await staffHeaders(t.app, 'admin');
    const queue = (await (await t.app.request('/api/staff/queue', { headers })).json()) as { items: { conversationId: string }[] };
    expect(queue.items.length).toBe(1);
    expect((await postJson(t.app, `/api/staff/conversations/${queue.items[0].conversationId}/claim`, {}, headers)).status).toBe(200);
    const after = await (await t.app.request('/metrics')).text();
    expect(after).toMatch(/govchat_handoff_wait_seconds_count\{[^}]*department="[^"]+"[^}]*\} [1-9]/);
  });
});

describe('commits of a turn (SQLite)', () => {
  it('a question without an answer takes two commits: the message, then the reply with its unanswered entry', async () => {
    const t = await app();
    const batches = async () => Number(/govchat_sqlite_batch_seconds_count\{[^}]*\} (\d+)/.exec(await (await t.app.request('/metrics')).text())![1]);
    expect((await postJson(t.app, '/api/chat', { message: '身份证丢了怎么办' })).status).toBe(200);
    const before = await batches();
    const r = (await (await postJson(t.app, '/api/chat', { message: '申请专利要多少钱' })).json()) as { type: string; messageId: string };
    expect(r.type).toBe('no_answer');
    // Three before the hook's insert joined the reply's commit.
    expect((await batches()) - before).toBe(2);
    const entry = await t.services.database.db.selectFrom('unanswered').select(['message_id', 'question']).where('message_id', '=', r.messageId).executeTakeFirst();
    expect(entry).toEqual({ message_id: r.messageId, question: '申请专利要多少钱' });
    const reply = await t.services.database.db.selectFrom('messages').select(['role', 'type']).where('id', '=', r.messageId).executeTakeFirst();
    expect(reply).toEqual({ role: 'bot', type: 'no_answer' });
  });
});

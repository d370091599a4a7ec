/**
 * The request limits of issue 11 with small numbers, through a real HTTP server: requests per
 * address, messages per session, body size, open event streams per address. Every refusal has the
 * error shape, and 429s say when to retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSSE } from '../support/sse.js';
import { chat, startGovchat, tempDir, type Govchat } from '../support/govchat.js';

let g: Govchat;
const tmp = tempDir();

beforeAll(async () => {
  g = await startGovchat({
    listen: true,
    sqlitePath: tmp.sqlitePath,
    env: { DATA_DIR: tmp.dir, TRUST_PROXY: 'true', RATE_LIMIT_IP_PER_MIN: '8', RATE_LIMIT_SESSION_PER_MIN: '3', SSE_MAX_PER_IP: '2', MAX_BODY_BYTES: '2048' },
  });
});
afterAll(async () => {
  await g.close();
  tmp.remove();
});

const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
}

describe('limits', () => {
  it('answers 429 with Retry-After once an address has sent its requests for the minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fetch(`${g.url}/api/guides/id-card-renewal`, { headers: from('203.0.113.7') })).status);
    expect(statuses).toEqual(Array(8).fill(200));
    const refused = await fetch(`${g.url}/api/guides/id-card-renewal`, { headers: from('203.0.113.7') });
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    await expectError(refused, 429, 'rate_limited');
    // Another address is not affected; health checks are never limited.
    expect((await fetch(`${g.url}/api/guides/id-card-renewal`, { headers: from('203.0.113.8') })).status).toBe(200);
    expect((await fetch(`${g.url}/healthz`, { headers: from('203.0.113.7') })).status).toBe(200);
  });

  it('counts staff requests per login, not per address (desks behind one NAT), and still limits each login', async () => {
    const { staffHeaders } = await import('../support/staff.js');
    const police = await staffHeaders(g.url, 'police');
    const hr = await staffHeaders(g.url, 'hr');
    const ip = '203.0.113.90';
    // The address has spent its citizen allowance…
    for (let i = 0; i < 8; i++) await fetch(`${g.url}/api/guides/id-card-renewal`, { headers: from(ip) });
    expect((await fetch(`${g.url}/api/guides/id-card-renewal`, { headers: from(ip) })).status).toBe(429);
    // …but each member of staff there has their own.
    const me = (h: Record<string, string>) => fetch(`${g.url}/api/staff/me`, { headers: from(ip, h) });
    const police8 = [];
    for (let i = 0; i < 8; i++) police8.push((await me(police)).status);
    expect(police8).toEqual(Array(8).fill(200));
    expect((await me(police)).status).toBe(429);
    expect((await me(hr)).status).toBe(200);
    // Made-up tokens from one address are held by the address's wider allowance (10 desks' worth).
    const statuses: number[] = [];
    for (let i = 0; i < 90; i++) statuses.push((await me({ authorization: `Bearer forged-${i}` })).status);
    // 80 per address; the two logins used 9 of them (the refused 9th request of one was not counted).
    expect(statuses.filter((x) => x === 401).length).toBe(80 - 9);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
  });

  it('limits chat messages per session, whatever address they come from', async () => {
    const post = (ip: string, sessionId?: string) =>
      fetch(`${g.url}/api/chat`, { method: 'POST', headers: from(ip, { 'content-type': 'application/json' }), body: JSON.stringify({ message: '身份证丢了怎么办', ...(sessionId ? { sessionId } : {}) }) });
    const first = (await (await post('198.51.100.1')).json()) as { sessionId: string };
    // The first message made the session; three more are allowed within the minute, from three addresses.
    expect((await post('198.51.100.2', first.sessionId)).status).toBe(200);
    expect((await post('198.51.100.3', first.sessionId)).status).toBe(200);
    expect((await post('198.51.100.4', first.sessionId)).status).toBe(200);
    const refused = await post('198.51.100.5', first.sessionId);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(refused, 429, 'rate_limited');
    // A new conversation is not held back.
    expect((await post('198.51.100.5')).status).toBe(200);
  });

  it('answers 413 with the error shape for a body over MAX_BODY_BYTES on any API route', async () => {
    const big = JSON.stringify({ sessionId: 'x', level: 5, comment: '很好'.repeat(2000) });
    await expectError(await fetch(`${g.url}/api/ratings`, { method: 'POST', headers: from('192.0.2.1', { 'content-type': 'application/json' }), body: big }), 413, 'payload_too_large');
    await expectError(await fetch(`${g.url}/api/staff/login`, { method: 'POST', headers: from('192.0.2.1', { 'content-type': 'application/json' }), body: big }), 413, 'payload_too_large');
    const chatBody = JSON.stringify({ message: 'a'.repeat(4000) });
    await expectError(await fetch(`${g.url}/api/chat`, { method: 'POST', headers: from('192.0.2.1', { 'content-type': 'application/json' }), body: chatBody }), 413, 'payload_too_large');
  });

  it('holds at most SSE_MAX_PER_IP open event streams per address and frees a slot when one closes', async () => {
    const { sessionId } = await chat(g.url, '身份证丢了怎么办');
    const url = `${g.url}/api/sessions/${sessionId}/events`;
    const headers = from('192.0.2.50', { 'x-session-id': sessionId });
    const one = await openSSE(url, headers);
    const two = await openSSE(url, headers);
    expect([one.status, two.status]).toEqual([200, 200]);
    await one.next((e) => e.event === 'ready');
    await two.next((e) => e.event === 'ready');
    const third = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
    expect(third.headers.get('retry-after')).not.toBeNull();
    await expectError(third, 429, 'rate_limited');
    // Another address may still open one.
    const other = await openSSE(url, from('192.0.2.51', { 'x-session-id': sessionId }));
    expect(other.status).toBe(200);
    other.close();
    // The client going away releases its slot (the server notices the closed connection).
    one.close();
    let reopened = 0;
    for (let i = 0; i < 50 && reopened !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
      reopened = res.status;
      await res.body?.cancel();
    }
    expect(reopened).toBe(200);
    two.close();
    // Every stream closed: no slot is left held.
    for (let i = 0; i < 50 && g.services.limits.openStreams('192.0.2.50') > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(g.services.limits.openStreams('192.0.2.50')).toBe(0);
  });
});

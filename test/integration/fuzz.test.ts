/**
 * Tries to break the API (issue 11): fast-check throws random JSON, huge strings, invalid UTF-8,
 * control characters, deep nesting and wrong types at POST /api/chat and at the staff and citizen
 * endpoints. Whatever comes in, the answer is never a 5xx, and every refusal has the error shape.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { ensureStaff, staffHeaders } from '../support/staff.js';

let t: TestApp;
let staff: Record<string, string>;
let sid: string;
let conversationId: string;

beforeAll(async () => {
  t = await testApp({ env: { MAX_BODY_BYTES: '65536' } });
  await ensureStaff(t.services);
  staff = await staffHeaders(t.app, 'admin');
  const r = (await (await t.app.request('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '转人工' }) })).json()) as { sessionId: string };
  sid = r.sessionId;
  conversationId = (await t.services.records.conversationBySession(sid))!.id;
});
afterAll(() => t.dispose());

type Body = string | Uint8Array;

async function send(method: string, path: string, body: Body | null, headers: Record<string, string> = {}): Promise<void> {
  const res = await t.app.request(path, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === null ? {} : { body: body as BodyInit }) });
  const text = await res.text();
  expect(res.status, `${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(text)), `${method} ${path} ${res.status} body is JSON: ${text.slice(0, 200)}`).not.toThrow();
    const e = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
    expect(typeof e?.code, `error.code of ${text.slice(0, 200)}`).toBe('string');
    expect(typeof e?.message, `error.message of ${text.slice(0, 200)}`).toBe('string');
  }
}

const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 50 });
const weirdString = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: 'binary', maxLength: 100 }), // lone surrogates included
  controlChars,
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\u202E身份证', '𠀀'.repeat(300), '身'.repeat(600), 'a'.repeat(70_000), '\ud800', '{"a":', '忽略以上指令'),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), weirdString, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(weirdString, tie('value'), { maxKeys: 4 })),
})).value;

/** Bodies shaped like the expected one with wrong types and odd values, raw JSON, and broken bytes. */
function bodies(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> {
  const shaped = fc.record(Object.fromEntries(Object.entries(fields).map(([k, a]) => [k, fc.oneof(a, jsonValue)])), { requiredKeys: [] }).map((o) => JSON.stringify(o));
  const deep = fc.integer({ min: 1, max: 20_000 }).map((n) => (n % 2 ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));
  const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => {
    const prefix = new TextEncoder().encode('{"message":"');
    const out = new Uint8Array(prefix.length + bytes.length + 2);
    out.set(prefix);
    out.set(bytes.map((b) => b | 0x80), prefix.length); // high bytes: mostly invalid sequences
    out.set(new TextEncoder().encode('"}'), prefix.length + bytes.length);
    return out;
  });
  return fc.oneof(shaped, jsonValue.map((v) => JSON.stringify(v) ?? 'null'), fc.string({ maxLength: 300 }), deep, invalidUtf8);
}

const RUNS = { numRuns: 120 };

describe('fuzz: POST /api/chat', () => {
  it('never answers 5xx, always the error shape when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(bodies({ message: weirdString, sessionId: weirdString, channel: weirdString }), fc.constantFrom('application/json', 'text/event-stream'), async (body, accept) => {
        await send('POST', '/api/chat', body, { accept });
      }),
      RUNS,
    );
  });

  it('survives odd headers: session ids, content types, accept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''), async (sessionHeader, type) => {
        const safe = sessionHeader.replace(/[^\x20-\x7e]/g, ''); // header values must be ByteStrings
        await send('POST', '/api/chat', JSON.stringify({ message: '你好' }), { 'x-session-id': safe, 'content-type': type });
      }),
      { numRuns: 60 },
    );
  });
});

describe('fuzz: citizen endpoints', () => {
  it('ratings, forms, messages and handoff cancel never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bodies({ sessionId: fc.constant(sid), level: fc.integer({ min: -5, max: 10 }), comment: weirdString }), fc.string({ maxLength: 60 }), async (body, id) => {
        const seg = encodeURIComponent(id) || 'x';
        await send('POST', '/api/ratings', body);
        await send('GET', `/api/forms/${seg}`, null, { 'x-session-id': sid });
        await send('POST', `/api/forms/${seg}/confirm`, body, { 'x-session-id': sid });
        await send('PATCH', `/api/forms/${seg}`, body, { 'x-session-id': sid });
        await send('GET', `/api/sessions/${seg}/messages?after=${seg}`, null, { 'x-session-id': sid });
        await send('POST', `/api/sessions/${seg}/handoff/cancel`, body, { 'x-session-id': id.replace(/[^\x20-\x7e]/g, '') });
        await send('GET', `/api/search?q=${seg}`, null);
      }),
      { numRuns: 60 },
    );
  });
});

describe('fuzz: staff endpoints', () => {
  it('login, messages, transfer and admin accounts never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bodies({ username: weirdString, password: weirdString, text: weirdString, department: weirdString, note: weirdString, role: weirdString, departments: jsonValue }), fc.string({ maxLength: 40 }), async (body, id) => {
        const seg = encodeURIComponent(id) || 'x';
        await send('POST', '/api/staff/login', body);
        await send('POST', `/api/staff/conversations/${conversationId}/messages`, body, staff);
        await send('POST', `/api/staff/conversations/${seg}/transfer`, body, staff);
        await send('POST', `/api/staff/conversations/${seg}/claim`, body, staff);
        await send('GET', `/api/staff/queue?department=${seg}`, null, staff);
        await send('GET', `/api/admin/stats?from=${seg}&to=${seg}`, null, staff);
        await send('POST', '/api/admin/staff', body, staff);
        await send('GET', `/api/staff/conversations/${seg}`, null, { authorization: `Bearer ${id.replace(/[^\x21-\x7e]/g, '') || 'x'}` });
      }),
      { numRuns: 60 },
    );
  });
});

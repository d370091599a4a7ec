/**
 * Bodies read off the IncomingMessage (body-limit.ts, through RequestLimits.body()), on a real
 * @hono/node-server: every reader of Hono and c.req.raw see the same bytes, limits hold for
 * declared and chunked bodies, and the request is never made a Web Request to read its body.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBody } from './body-limit.js';
import { errorHandler, type AppEnv } from './http.js';
import { RequestLimits } from './limits.js';
import { silentLogger } from './logger.js';
import { MemorySlidingWindow } from './rate-limit.js';

const MAX = 1024;
const refusals: string[] = [];
let server: ServerType;
let base: string;

/** Whether @hono/node-server made its lightweight request a full Web Request. */
const madeWebRequest = (raw: Request) => Object.getOwnPropertySymbols(raw).some((s) => s.description === 'requestCache' && (raw as never)[s] !== undefined);

beforeAll(async () => {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  const limits = new RequestLimits(new MemorySlidingWindow(), { ipPerMinute: 1000, sessionPerMinute: 1000, ssePerIp: 2, maxBodyBytes: MAX, trustProxy: false }, (l) => refusals.push(l));
  app.use('/api/*', limits.body());
  app.use('/api/small', limitBody({ maxBytes: 16, message: 'over 16 bytes' }));
  app.post('/api/small', async (c) => c.text(await c.req.text()));
  app.post('/api/json', async (c) => {
    const json = await c.req.json();
    const web = madeWebRequest(c.req.raw);
    return c.json({ json, text: await c.req.text(), web });
  });
  app.post('/api/validated', validator('json', (v) => v), (c) => c.json(c.req.valid('json')));
  app.post('/api/raw', async (c) => c.json({ hono: await c.req.text(), raw: await c.req.raw.text() }));
  app.post('/api/form', async (c) => {
    const form = await c.req.parseBody();
    const file = form.file as File;
    return c.json({ name: form.name, bytes: [...new Uint8Array(await file.arrayBuffer())] });
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A POST whose body goes out in the given chunks (chunked transfer: no Content-Length). */
function postChunked(path: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request bodies on Node', () => {
  it('parses JSON without making a Web Request, and text() gives the same characters', async () => {
    const body = JSON.stringify({ message: '身份证丢了怎么补办？' });
    const res = await fetch(`${base}/api/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ json: { message: '身份证丢了怎么补办？' }, text: body, web: false });
  });

  it('joins a chunked body whose characters are split across chunks, drops a byte-order mark as Request.text() does', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ message: '社保卡挂失' }))]);
    const res = await postChunked('/api/json', [bytes.subarray(0, 15), bytes.subarray(15, 16), bytes.subarray(16)]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).json).toEqual({ message: '社保卡挂失' });
  });

  it('gives routes that read c.req.raw the same body', async () => {
    const res = await fetch(`${base}/api/raw`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<xml><Content>居住证</Content></xml>' });
    expect(await res.json()).toEqual({ hono: '<xml><Content>居住证</Content></xml>', raw: '<xml><Content>居住证</Content></xml>' });
  });

  it('keeps the bytes of a multipart file that are not text', async () => {
    const form = new FormData();
    form.set('name', '材料');
    form.set('file', new Blob([new Uint8Array([0, 255, 254, 128, 10])]), 'a.bin');
    const res = await fetch(`${base}/api/form`, { method: 'POST', body: form });
    expect(await res.json()).toEqual({ name: '材料', bytes: [0, 255, 254, 128, 10] });
  });

  it('answers 413 for a declared length over the limit, and for a chunked body once it passes the limit', async () => {
    refusals.length = 0;
    const declared = await fetch(`${base}/api/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'a'.repeat(MAX) }) });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const chunked = await postChunked('/api/json', [Buffer.from('{"message":"'), Buffer.alloc(MAX, 'a'), Buffer.from('"}')]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('payload_too_large');
    expect(refusals).toEqual(['body', 'body']);
    // Exactly the limit is accepted.
    const exact = JSON.stringify({ message: 'a'.repeat(MAX - 14) });
    expect(Buffer.byteLength(exact)).toBe(MAX);
    expect((await fetch(`${base}/api/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exact })).status).toBe(200);
  });

  it('lets a route set a tighter limit than the app, measured on the body the app already read', async () => {
    const post = (body: string) => fetch(`${base}/api/small`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    expect(await (await post('sixteen bytes!!!')).text()).toBe('sixteen bytes!!!');
    const over = await post('seventeen bytes!!');
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ error: { code: 'payload_too_large', message: 'over 16 bytes' } });
  });

  it('answers malformed JSON with the 400 of the error shape, as Hono’s validator did before', async () => {
    const res = await fetch(`${base}/api/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: '请求体不是合法的 JSON' } });
    const ok = await fetch(`${base}/api/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"户口迁移"}' });
    expect(await ok.json()).toEqual({ message: '户口迁移' });
  });
});

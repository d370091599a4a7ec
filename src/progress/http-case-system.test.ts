/** The HTTP connector against a real local case system (node:http): good, slow, failing, missing. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseSystemUnavailable } from './case-system.js';
import { HttpCaseSystem } from './http-case-system.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}
type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[] = [];

const CASE = {
  caseNo: 'SL20261101001',
  serviceName: '居住证申领',
  status: 'producing',
  currentStep: '制证',
  expectedCompletionDate: '2026-12-10',
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : null });
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen = [];
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const system = (over: Partial<ConstructorParameters<typeof HttpCaseSystem>[0]> = {}) =>
  new HttpCaseSystem({ baseUrl: base, token: 'secret-token', timeoutMs: 500, retries: 2, retryDelayMs: 10, ...over });
const query = { caseNo: 'SL20261101001', phoneLast4: '5678' };

async function unavailable(p: Promise<unknown>): Promise<CaseSystemUnavailable> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CaseSystemUnavailable);
  return e as CaseSystemUnavailable;
}

describe('HttpCaseSystem', () => {
  it('POSTs the documented request and maps the documented answer', async () => {
    handler = (_req, res) => json(res, 200, CASE);
    const r = await system().lookup(query);
    expect(r).toEqual({ found: true, record: CASE });
    expect(seen).toEqual([{ method: 'POST', url: '/api/cases/lookup', authorization: 'Bearer secret-token', body: { caseNo: 'SL20261101001', phoneLast4: '5678' } }]);
    expect(seen[0].url).not.toContain('5678'); // phone digits never in the URL
  });

  it('reads 404 (and 400) as "no such case with these digits"', async () => {
    handler = (_req, res) => json(res, 404, { error: 'not found' });
    expect(await system().lookup(query)).toEqual({ found: false });
    handler = (_req, res) => json(res, 400, { error: 'bad case number' });
    expect(await system().lookup(query)).toEqual({ found: false });
    expect(seen).toHaveLength(2); // not retried
  });

  it('retries a 500 with backoff and succeeds when the system recovers', async () => {
    handler = (_req, res, attempt) => (attempt < 3 ? json(res, 500, { error: 'busy' }) : json(res, 200, CASE));
    expect(await system().lookup(query)).toMatchObject({ found: true });
    expect(seen).toHaveLength(3);
  });

  it('gives up after the retries when every answer is a 5xx', async () => {
    handler = (_req, res) => json(res, 503, { error: 'down' });
    const e = await unavailable(system().lookup(query));
    expect(e.reason).toBe('server_error');
    expect(seen).toHaveLength(3); // one try + two retries
  });

  it('times out a slow system at once, without retrying', async () => {
    let answered = false;
    handler = (_req, res) =>
      setTimeout(() => {
        answered = true;
        if (!res.destroyed) json(res, 200, CASE);
      }, 3000);
    const e = await unavailable(system({ timeoutMs: 200 }).lookup(query));
    expect(e.reason).toBe('timeout');
    expect(answered).toBe(false); // gave up before the slow answer came
    expect(seen).toHaveLength(1);
  });

  it('treats 401/403 as a configuration error, not a missing case', async () => {
    handler = (_req, res) => json(res, 401, { error: 'bad token' });
    expect((await unavailable(system().lookup(query))).reason).toBe('misconfigured');
    expect(seen).toHaveLength(1);
  });

  it('rejects an answer that does not follow the mapping', async () => {
    handler = (_req, res) => json(res, 200, { caseNo: 'SL1', state: 'done' });
    expect((await unavailable(system().lookup(query))).reason).toBe('bad_response');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>');
    };
    expect((await unavailable(system().lookup(query))).reason).toBe('bad_response');
  });

  it('reports a system that cannot be reached, after retrying', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await unavailable(system({ baseUrl: `http://127.0.0.1:${port}` }).lookup(query));
    expect(e.reason).toBe('network');
  });
});

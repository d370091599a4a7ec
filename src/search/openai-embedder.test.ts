import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingsError, OpenAIEmbedder } from './openai-embedder.js';

// A real local HTTP server speaking the OpenAI /v1/embeddings API, scripted per test.
let server: Server;
let base: string;
let script: (body: { model: string; input: string[] }, req: IncomingMessage) => { status: number; body?: unknown; delayMs?: number };
const requests: { model: string; input: string[]; auth?: string }[] = [];

const vec = (s: string) => [s.length, 1, 0, s.charCodeAt(0) % 7];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ ...body, auth: req.headers.authorization });
      const out = script(body, req);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out.body ?? {}));
      }, out.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ok = (body: { input: string[] }) => ({ status: 200, body: { data: body.input.map((s, index) => ({ index, embedding: vec(s) })).reverse() } });

describe('OpenAI-compatible embeddings endpoint', () => {
  it('sends batches with the model and key, and returns unit vectors in input order', async () => {
    requests.length = 0;
    script = ok;
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'bge-m3', apiKey: 'k-123', batchSize: 2 });
    const out = await e.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(requests.map((r) => r.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests.every((r) => r.model === 'bge-m3' && r.auth === 'Bearer k-123')).toBe(true);
    expect(out).toHaveLength(5);
    expect(e.dim).toBe(4);
    const norm = Math.hypot(...out[2]);
    expect(norm).toBeCloseTo(1, 5);
    expect(out[2][0] / out[2][1]).toBeCloseTo(3, 5); // "ccc" -> [3,1,…], not another input's vector
  });

  it('retries 429 and 5xx with backoff, then succeeds', async () => {
    requests.length = 0;
    let n = 0;
    script = (b) => (++n <= 2 ? { status: n === 1 ? 429 : 503 } : ok(b));
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'm', retries: 2 });
    await expect(e.embed(['x'])).resolves.toHaveLength(1);
    expect(requests).toHaveLength(3);
  });

  it('gives up after the retries with a clear error', async () => {
    script = () => ({ status: 500, body: { error: 'boom' } });
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'm', retries: 1 });
    await expect(e.embed(['x'])).rejects.toThrow(/answered 500/);
  });

  it('does not retry a 400 (a bad request stays bad)', async () => {
    requests.length = 0;
    script = () => ({ status: 400, body: { error: 'bad model' } });
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'm', retries: 3 });
    await expect(e.embed(['x'])).rejects.toBeInstanceOf(EmbeddingsError);
    expect(requests).toHaveLength(1);
  });

  it('times out a hanging request', async () => {
    script = (b) => ({ ...ok(b), delayMs: 2000 });
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'm', timeoutMs: 150, retries: 0 });
    const t = performance.now();
    await expect(e.embed(['x'])).rejects.toThrow(/timed out after 150 ms/);
    expect(performance.now() - t).toBeLessThan(1500);
  });

  it('rejects an answer with the wrong number of vectors', async () => {
    script = () => ({ status: 200, body: { data: [{ index: 0, embedding: [1, 2] }] } });
    const e = new OpenAIEmbedder({ baseUrl: base, model: 'm', retries: 0 });
    await expect(e.embed(['x', 'y'])).rejects.toThrow(/1 vectors for 2 inputs/);
  });
});

import type { Reply } from '../dialogue/reply.js';
import { AppError } from '../platform/errors.js';
import type { RecordBatch } from './batch.js';
import { edgeRequest } from './context.js';

/** The origin could not be reached, or failed (5xx, timeout): the edge falls back, nothing is lost. */
export class OriginUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginUnavailable';
  }
}

export interface OriginOptions {
  /** Base URL of the Node origin, e.g. https://govchat-origin.example.gov.cn */
  url: string;
  /** Bearer token of the origin's POST /api/edge/records (EDGE_INGEST_TOKEN on both sides). */
  token: string;
  /** How long to wait for the origin's response headers. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The edge's calls to the origin: turns that need it, and the records of turns answered at the edge. */
export class OriginClient {
  readonly base: URL;
  private readonly fetchImpl: typeof fetch;

  constructor(readonly opts: OriginOptions) {
    this.base = new URL(opts.url);
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  url(path: string): URL {
    return new URL(path, this.base);
  }

  /**
   * fetch with a timeout on the response headers only: a streamed body (SSE) may last as long as
   * it needs. Network errors and timeouts become OriginUnavailable.
   */
  async request(path: string | URL, init: RequestInit): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    try {
      return await this.fetchImpl(typeof path === 'string' ? this.url(path) : path, { ...init, signal: controller.signal });
    } catch (e) {
      throw new OriginUnavailable(controller.signal.aborted ? `origin did not answer within ${this.opts.timeoutMs} ms` : `origin unreachable: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private forwardedHeaders(): Record<string, string> {
    const ip = edgeRequest.getStore()?.clientIp;
    return ip ? { 'x-forwarded-for': ip } : {};
  }

  /** One chat turn handled by the origin's own engine (handoff, forms, progress). */
  async chat(body: { sessionId: string | null; message: string; channel: string }): Promise<Reply> {
    const res = await this.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...this.forwardedHeaders() },
      body: JSON.stringify(body),
    });
    if (res.status >= 500) throw new OriginUnavailable(`origin answered ${res.status}`);
    const data = (await res.json().catch(() => null)) as (Reply & { error?: { code: string; message: string } }) | null;
    if (!res.ok) {
      // The origin's own verdict on the message (413, 429 …) is the citizen's answer too.
      throw new AppError(res.status as 400, data?.error?.code ?? 'origin_error', data?.error?.message ?? `origin answered ${res.status}`);
    }
    if (!data || typeof data.sessionId !== 'string') throw new OriginUnavailable('origin reply is not a chat reply');
    return data;
  }

  /** Records of edge turns; resolves once the origin has stored them. */
  async postRecords(batches: RecordBatch[]): Promise<void> {
    const res = await this.request('/api/edge/records', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.token}` },
      body: JSON.stringify({ batches }),
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new OriginUnavailable(`origin refused the records: ${res.status} ${text.slice(0, 200)}`);
    }
    await res.text();
  }
}

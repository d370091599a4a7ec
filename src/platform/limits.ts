import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from './errors.js';
import { limitBody } from './body-limit.js';
import type { AppEnv } from './http.js';
import type { SlidingWindow } from './rate-limit.js';

export interface LimitSettings {
  ipPerMinute: number;
  sessionPerMinute: number;
  /** Open event streams one client address may hold at once (per instance). */
  ssePerIp: number;
  maxBodyBytes: number;
  /** Take the client address from X-Forwarded-For (behind the city's reverse proxy). */
  trustProxy: boolean;
}

const MINUTE = 60_000;
/** How many logged-in members of staff one address is assumed to hold at most (a service hall's NAT). */
const STAFF_DESKS_PER_ADDRESS = 10;

/** 429 with the error shape and Retry-After in whole seconds (never 0: "retry now" would be wrong). */
export function tooManyRequests(retryAfterMs: number, message: string): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, 'rate_limited', message, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
}

/**
 * The address a request comes from. Forwarded headers are believed only when TRUST_PROXY says a
 * proxy sets them: otherwise anyone could pick a fresh address per request and escape the limit.
 */
export function clientAddress(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || c.req.header('x-real-ip')?.trim() || c.req.header('cf-connecting-ip')?.trim();
    if (fwd) return fwd.slice(0, 64);
  }
  // @hono/node-server passes the IncomingMessage as env.incoming.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? c.req.header('cf-connecting-ip') ?? null;
}

/** FNV-1a: a short, stable bucket name for a credential, so no token is written into Redis keys. */
function bucketOf(secret: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) {
    h ^= secret.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/**
 * Staff requests are counted per credential, not per address: a service hall's desks share one
 * address behind its NAT, and every console polls. A made-up credential buys nothing but a 401.
 */
function staffCredential(c: Context): string | null {
  if (!/^\/api\/(staff|admin)\//.test(c.req.path)) return null;
  const auth = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (auth) return auth[1];
  const cookie = /(?:^|;\s*)govchat_staff=([^;]+)/.exec(c.req.header('cookie') ?? '');
  return cookie ? cookie[1] : null;
}

/** Paths with a body limit of their own, larger than MAX_BODY_BYTES (edge record batches, knowledge-base imports). */
const OWN_BODY_LIMIT = [/^\/api\/edge\//, /^\/api\/admin\/kb\/imports$/];
/**
 * Callers that are not one citizen's browser: the WeChat servers (many citizens from few addresses,
 * each limited by session instead) and the edge's record ingestion (a bearer token).
 */
const NOT_PER_ADDRESS = [/^\/api\/wechat\//, /^\/api\/edge\//];

/**
 * The request limits of issue 11: body size, requests per address and messages per session per
 * minute (sliding windows, shared through Redis when configured), and open event streams per
 * address. Every refusal has the error shape; 429s carry Retry-After.
 */
export class RequestLimits {
  private readonly streams = new Map<string, number>();

  constructor(
    private readonly window: SlidingWindow,
    readonly settings: LimitSettings,
    /** Told of every refusal (the origin counts them in /metrics; this module stays free of prom-client for the edge). */
    private readonly onRefused: (limit: 'body' | 'address' | 'session' | 'streams') => void = () => {},
  ) {}

  /**
   * 413 for a body over MAX_BODY_BYTES on any /api/* route without a limit of its own. On Node the
   * body is read here, whole, so the routes parse it without a Web Request (src/platform/body-limit.ts).
   */
  body(): MiddlewareHandler<AppEnv> {
    const limit = limitBody({ maxBytes: this.settings.maxBodyBytes, onRefused: () => this.onRefused('body') });
    return async (c, next) => {
      if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
      const path = c.req.path;
      if (OWN_BODY_LIMIT.some((r) => r.test(path))) return next();
      return limit(c, next);
    };
  }

  /** Requests per client address per minute. CORS preflights are not counted (the browser sends them, not the citizen). */
  perAddress(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      if (c.req.method === 'OPTIONS' || NOT_PER_ADDRESS.some((r) => r.test(c.req.path))) return next();
      const ip = clientAddress(c, this.settings.trustProxy);
      // No address to count by (an in-process request, not from a socket): one shared bucket for
      // every such caller would throttle them all together, so none is counted.
      if (!ip) return next();
      const credential = staffCredential(c);
      // With a credential: its own allowance, and the address a wider one (ten desks' worth), so
      // made-up tokens cannot flood the server either.
      const d = credential
        ? await this.firstRefusal([
            [`staff:${bucketOf(credential)}`, this.settings.ipPerMinute],
            [`staff-ip:${ip}`, this.settings.ipPerMinute * STAFF_DESKS_PER_ADDRESS],
          ])
        : await this.window.hit(`ip:${ip}`, this.settings.ipPerMinute, MINUTE);
      if (!d.allowed) {
        this.onRefused('address');
        throw tooManyRequests(d.retryAfterMs, '请求太频繁了，请稍后再试');
      }
      return next();
    };
  }

  private async firstRefusal(limits: [string, number][]) {
    let last = { allowed: true, count: 0, retryAfterMs: 0 };
    for (const [key, limit] of limits) {
      last = await this.window.hit(key, limit, MINUTE);
      if (!last.allowed) return last;
    }
    return last;
  }

  /** Chat messages per session per minute; throws the 429. */
  async perSession(sessionId: string): Promise<void> {
    const d = await this.window.hit(`session:${sessionId}`, this.settings.sessionPerMinute, MINUTE);
    if (!d.allowed) {
      this.onRefused('session');
      throw tooManyRequests(d.retryAfterMs, '消息发得太快了，请稍等一会儿再发');
    }
  }

  /** Open event streams of this instance from one address (the count drops when the stream ends). */
  openStreams(ip: string): number {
    return this.streams.get(ip) ?? 0;
  }

  /**
   * At most SSE_MAX_PER_IP open event streams per address. The slot is held until the response
   * body ends or the client goes away (the body is wrapped so its end or cancel releases it).
   */
  eventStreams(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      if (c.req.method !== 'GET') return next();
      const ip = clientAddress(c, this.settings.trustProxy);
      if (!ip) return next();
      const open = this.openStreams(ip);
      if (open >= this.settings.ssePerIp) {
        this.onRefused('streams');
        throw tooManyRequests(5000, `同时打开的实时连接太多了（最多 ${this.settings.ssePerIp} 个），请关闭其他页面后再试`);
      }
      this.streams.set(ip, open + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const n = (this.streams.get(ip) ?? 1) - 1;
        if (n <= 0) this.streams.delete(ip);
        else this.streams.set(ip, n);
      };
      try {
        await next();
      } catch (e) {
        release();
        throw e;
      }
      // The content type first: reading .body of @hono/node-server's lightweight Response makes it a
      // full Web Response, written out as a stream (a tenth of a JSON chat turn's time).
      const body = c.res.headers.get('content-type')?.includes('text/event-stream') ? c.res.body : null;
      if (!body) {
        release();
        return;
      }
      const reader = body.getReader();
      const wrapped = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          try {
            const { done, value } = await reader.read();
            if (done) {
              release();
              ctrl.close();
            } else ctrl.enqueue(value);
          } catch (e) {
            release();
            ctrl.error(e);
          }
        },
        cancel(reason) {
          release();
          return reader.cancel(reason);
        },
      });
      c.res = new Response(wrapped, { status: c.res.status, headers: c.res.headers });
    };
  }
}

/** The settings from the configuration. */
export function limitSettings(config: {
  RATE_LIMIT_IP_PER_MIN: number;
  RATE_LIMIT_SESSION_PER_MIN: number;
  SSE_MAX_PER_IP: number;
  MAX_BODY_BYTES: number;
  TRUST_PROXY: boolean;
}): LimitSettings {
  return {
    ipPerMinute: config.RATE_LIMIT_IP_PER_MIN,
    sessionPerMinute: config.RATE_LIMIT_SESSION_PER_MIN,
    ssePerIp: config.SSE_MAX_PER_IP,
    maxBodyBytes: config.MAX_BODY_BYTES,
    trustProxy: config.TRUST_PROXY,
  };
}

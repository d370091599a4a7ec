import type { MiddlewareHandler } from 'hono';
import { errorJson, type AppEnv } from '../platform/http.js';
import { OriginUnavailable, type OriginClient } from './origin.js';

/**
 * Routes the origin serves for the edge: everything that needs Redis, the SQL records or staff
 * accounts. The widget keeps talking to one host; the edge passes these through unchanged.
 */
export const DEFAULT_ORIGIN_PATHS = ['/api/staff', '/api/forms', '/api/ratings', '/api/sessions', '/api/handoff', '/api/wechat', '/staff', '/forms'];

// Hop-by-hop headers (RFC 9110 §7.6.1) and those the platform sets itself.
const REQUEST_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function matchesPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Passes a request to the origin as it came — method, headers (X-Session-Id, Authorization,
 * cookies), body, query — with X-Forwarded-For/-Host/-Proto added, and passes the response back
 * as it came: status, headers, and the body as a stream, so server-sent events flow through.
 */
export async function forwardToOrigin(req: Request, origin: OriginClient): Promise<Response> {
  const incoming = new URL(req.url);
  const target = origin.url(incoming.pathname + incoming.search);
  const headers = new Headers();
  req.headers.forEach((value, name) => {
    if (!REQUEST_DROP.has(name.toLowerCase())) headers.set(name, value);
  });
  const clientIp = req.headers.get('cf-connecting-ip');
  const prior = req.headers.get('x-forwarded-for');
  if (clientIp) headers.set('x-forwarded-for', prior ? `${prior}, ${clientIp}` : clientIp);
  headers.set('x-forwarded-host', incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers,
    redirect: 'manual',
    ...(hasBody ? { body: req.body, duplex: 'half' } : {}),
  };
  const res = await origin.request(target, init);
  const out = new Headers();
  res.headers.forEach((value, name) => {
    if (!RESPONSE_DROP.has(name.toLowerCase())) out.append(name, value);
  });
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
}

/** Middleware for createApp (Services.forwardToOrigin): origin routes leave before any route runs. */
export function originForwarding(origin: OriginClient, paths: readonly string[] = DEFAULT_ORIGIN_PATHS): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!matchesPrefix(c.req.path, paths)) return next();
    try {
      return await forwardToOrigin(c.req.raw, origin);
    } catch (e) {
      if (!(e instanceof OriginUnavailable)) throw e;
      c.get('log')?.warn({ err: e, path: c.req.path }, 'origin unavailable');
      return errorJson(c, 502, 'origin_unavailable', '服务暂时连接不上，请稍后再试。如需帮助，请拨打 12345 政务服务便民热线。');
    }
  };
}

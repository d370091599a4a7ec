import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ConfigError } from '../config.js';

/** Headers a citizen's browser may send to /api/*: the session id is a bearer secret in a header. */
export const CORS_ALLOW_HEADERS = ['Content-Type', 'Accept', 'X-Session-Id', 'Last-Event-ID'];
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PATCH', 'OPTIONS'];

/** `https://Site.example.gov.cn/` → `https://site.example.gov.cn`; null when it is not an http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  try {
    const u = new URL(value.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null;
    return u.origin;
  } catch {
    return null;
  }
}

/**
 * CORS for the widget on the city's own sites: only the origins in WIDGET_ORIGINS are told they
 * may read the answers. No credentials (citizens carry their session id in a header, not a
 * cookie), so a listed site can never act with a staff member's cookie. Other origins get no
 * Access-Control-Allow-Origin, so their browsers refuse the response.
 */
export function widgetCors(origins: readonly string[]): MiddlewareHandler {
  const bad = origins.filter((o) => normalizeOrigin(o) === null);
  if (bad.length) {
    throw new ConfigError(bad.map((o) => `WIDGET_ORIGINS=${JSON.stringify(o)}: each entry must be an origin such as https://www.example.gov.cn (scheme and host, no path)`));
  }
  const allowed = new Set(origins.map((o) => normalizeOrigin(o)!));
  const preflight = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: CORS_ALLOW_METHODS,
    allowHeaders: CORS_ALLOW_HEADERS,
    credentials: false,
    maxAge: 600,
  });
  // Preflights go through Hono's cors. On every other request its two headers are set here, on the
  // response's own headers: Hono's cors appends Vary with c.header() after the handler, which turns
  // @hono/node-server's lightweight response into a full Web Response written out as a stream
  // (a CPU profile under the HTTP bench: about 7 % of a chat turn).
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const origin = c.req.header('origin');
    const allow = origin && allowed.has(origin) ? origin : null;
    try {
      if (allow) c.res.headers.set('Access-Control-Allow-Origin', allow);
      c.res.headers.append('Vary', 'Origin');
    } catch {
      // Immutable headers (a response passed through from fetch): Hono copies the response.
      if (allow) c.header('Access-Control-Allow-Origin', allow);
      c.header('Vary', 'Origin', { append: true });
    }
  };
}

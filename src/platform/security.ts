import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from './errors.js';
import type { AppEnv } from './http.js';

/**
 * The Content-Security-Policy every page of this origin passes (demo page and widget, guide pages,
 * the console at /console/, the API reference at /docs): scripts only from this origin and never
 * inline or eval'd; inline style attributes allowed (the widget and echarts set them); images
 * also as data:/blob: (charts exported as images); fetch/EventSource only to this origin.
 */
export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
};

/** Scripts city sites load from this origin (Cross-Origin-Resource-Policy must let them). */
const CROSS_ORIGIN_SCRIPTS = new Set(['/widget.js']);

/**
 * hono/secure-headers with the CSP above. `overwrite: false` keeps a header a route set itself.
 * /widget.js is embedded by city sites on other origins, so it is `cross-origin` for CORP.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const base = { contentSecurityPolicy: CSP, overwrite: false, xFrameOptions: 'SAMEORIGIN', referrerPolicy: 'strict-origin-when-cross-origin' } as const;
  const pages = secureHeaders(base);
  const scripts = secureHeaders({ ...base, crossOriginResourcePolicy: 'cross-origin' });
  return (c, next) => (CROSS_ORIGIN_SCRIPTS.has(c.req.path) ? scripts(c, next) : pages(c, next));
}

/** The header the console sends on every non-GET request; a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'govchat';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF for staff cookies: a cookie-authenticated request that changes something under /api/staff/*
 * or /api/admin/* must carry `X-Requested-With: govchat`. A browser sends the cookie with any
 * cross-site form post, but a custom header only from this origin's scripts (CORS never allows it
 * with credentials). Bearer-token requests are exempt: a token is not sent by the browser on its own.
 */
export function csrfGuard(cookieName: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || c.req.header('authorization')) return next();
    const cookie = c.req.header('cookie') ?? '';
    const hasSession = cookie.split(';').some((p) => p.trim().startsWith(`${cookieName}=`));
    if (hasSession && c.req.header(CSRF_HEADER)?.trim().toLowerCase() !== CSRF_VALUE) {
      throw new AppError(403, 'csrf', `缺少请求头 X-Requested-With: ${CSRF_VALUE}（防跨站请求伪造）`);
    }
    return next();
  };
}

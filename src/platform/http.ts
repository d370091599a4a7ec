import type { Context, MiddlewareHandler, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { AppError, type ErrorBody } from './errors.js';
import type { Logger } from './logger.js';
import type { StaffPrincipal } from '../staff/principal.js';

/** Hono environment shared by every route: per-request id and logger. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** Set by requireStaff on staff routes. */
    staff: StaffPrincipal;
  };
}

export function errorJson(c: Context, status: ContentfulStatusCode, code: string, message: string, headers?: Record<string, string>): Response {
  const body: ErrorBody = { error: { code, message } };
  return c.json(body, status, headers);
}

/** Summarises zod issues for a citizen-facing 400: which field, what is wrong. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** The defaultHook for OpenAPIHono: every validation failure answers 400 with the error shape. */
export function validationHook(result: { success: boolean; error?: { issues: readonly z.core.$ZodIssue[] } }, c: Context): Response | undefined {
  if (result.success) return undefined;
  return errorJson(c, 400, 'invalid_request', describeIssues(result.error?.issues ?? []) || 'invalid request');
}

/** Adds a logger bound to the request id, and one access-log line per request. */
export function requestLogging(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now();
    const log = logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    const ms = Math.round((performance.now() - start) * 10) / 10;
    // A session id in the path is the citizen's bearer secret: never logged.
    const path = new URL(c.req.url).pathname.replace(/^\/api\/sessions\/[^/]+/, '/api/sessions/:id');
    log.info({ method: c.req.method, path, status: c.res.status, ms }, 'request');
  };
}

export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof AppError) return c.json(err.toBody(), err.status, err.headers);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 400 ? 'bad_request' : status === 401 ? 'unauthorized' : 'http_error';
      const message = status === 400 && /json/i.test(err.message) ? '请求体不是合法的 JSON' : err.message || 'request failed';
      return errorJson(c, status, code, message);
    }
    (c.get('log') ?? logger).error({ err }, 'unhandled error');
    return errorJson(c, 500, 'internal', '服务暂时出现问题，请稍后再试');
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) => errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);

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
    const path = c.req.path.replace(/^\/api\/sessions\/[^/]+/, '/api/sessions/:id');
    log.info({ method: c.req.method, path, status: c.res.status, ms }, 'request');
  };
}

// Connection-level failures of PostgreSQL (pg error codes of class 08 and 57P, socket errors), and
// the SQLite thread gone (src/records/sqlite-thread.ts; not imported: the edge bundles this file).
const BACKEND_DOWN_CODES = new Set(['ERR_SQLITE_THREAD_STOPPED', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const BACKEND_DOWN_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|not queryable/i;

/** Whether an error means a backend (the database) is not reachable, rather than a bug. */
export function isBackendDown(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && BACKEND_DOWN_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && BACKEND_DOWN_MESSAGE.test(e.message)) return true;
  return e.cause ? isBackendDown(e.cause) : false;
}

export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    if (err instanceof AppError) return c.json(err.toBody(), err.status, err.headers);
    if (isBackendDown(err)) {
      // A 503 the client may retry: what needs the records waits for the database, the rest keeps working.
      (c.get('log') ?? logger).warn({ err: { message: err.message } }, 'database unavailable');
      return errorJson(c, 503, 'unavailable', '服务暂时繁忙（数据库暂不可用），请稍后再试', { 'Retry-After': '5' });
    }
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

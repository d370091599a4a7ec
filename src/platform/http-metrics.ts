import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './http.js';
import { httpDuration, httpRequests } from './metrics.js';

/**
 * Counts every request and its time to the response, labelled by the route pattern that answered
 * (/api/sessions/:id/events), so citizens' ids never become metric labels. A request no route
 * answered (a 404, or one refused by a middleware) is labelled by what refused it or "unmatched".
 */
export function httpMetrics(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const end = httpDuration.startTimer();
    try {
      await next();
    } finally {
      let route = routePath(c) || 'unmatched';
      if (route.endsWith('*')) route = c.res.status === 404 ? 'unmatched' : `middleware:${route}`;
      const method = c.req.method;
      end({ method, route });
      httpRequests.inc({ method, route, status: String(c.res.status) });
    }
  };
}

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { validationHook, type AppEnv } from './http.js';
import { collectDefaultMetrics } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import { errorJson } from './http.js';
import { registry } from './metrics.js';
import { ErrorSchema } from './openapi.js';

let defaults = false;

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics: requests and latency by route pattern, answers by type, retrieval latency, queue lengths and waits, limits, LLM fallbacks',
  responses: {
    200: { content: { 'text/plain': { schema: z.string() } }, description: 'Prometheus text exposition format' },
    401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'METRICS_TOKEN is set and the bearer token is missing or wrong' },
  },
});

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics in the Prometheus text format (it names no citizen); behind a bearer token when METRICS_TOKEN is set. */
export function metricsRoutes(opts: { token?: string } = {}) {
  if (!defaults) {
    defaults = true;
    collectDefaultMetrics({ register: registry, prefix: 'govchat_' }); // memory, event-loop lag, handles
  }
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(metricsRoute, async (c) => {
    if (opts.token) {
      const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
      if (!m || !sameToken(m[1], opts.token)) return errorJson(c, 401, 'unauthorized', 'GET /metrics needs the METRICS_TOKEN bearer token') as never;
    }
    return c.text(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return app;
}

import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { validationHook, type AppEnv } from './http.js';
import { collectDefaultMetrics } from 'prom-client';
import { registry } from './metrics.js';

let defaults = false;

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics: requests and latency by route pattern, answers by type, retrieval latency, queue lengths and waits, limits, LLM fallbacks',
  responses: { 200: { content: { 'text/plain': { schema: z.string() } }, description: 'Prometheus text exposition format' } },
});

/** GET /metrics in the Prometheus text format (scrape it from inside the network; it names no citizen). */
export function metricsRoutes() {
  if (!defaults) {
    defaults = true;
    collectDefaultMetrics({ register: registry, prefix: 'govchat_' }); // memory, event-loop lag, handles
  }
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(metricsRoute, async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  return app;
}

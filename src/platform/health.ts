import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { validationHook, type AppEnv } from './http.js';

/** One dependency /readyz looks at: resolves with a short detail when fine, throws when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<string | void>;
}

const CHECK_TIMEOUT_MS = 2000;

const CheckResult = z.object({ ok: z.boolean(), ms: z.number(), detail: z.string().optional() }).openapi('ReadinessCheck');
const Ready = z.object({ status: z.literal('ready'), checks: z.record(z.string(), CheckResult) }).openapi('Ready');
const NotReady = z
  .object({
    status: z.enum(['not_ready', 'draining']),
    checks: z.record(z.string(), CheckResult),
    error: z.object({ code: z.string(), message: z.string() }),
  })
  .openapi('NotReady');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness: the process answers (it does not look at Redis or the database; /readyz does)',
  responses: { 200: { content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } }, description: 'Alive' } },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Readiness: indexes loaded, database and Redis (when configured) reachable; 503 while shutting down',
  responses: {
    200: { content: { 'application/json': { schema: Ready } }, description: 'Ready to take traffic' },
    503: { content: { 'application/json': { schema: NotReady } }, description: 'A dependency is not reachable, or the instance is draining; checks says which' },
  },
});

/** GET /healthz: alive (the edge serves it too). */
export function healthRoutes() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  return app;
}

async function run(check: ReadinessCheck): Promise<z.infer<typeof CheckResult>> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const detail = await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start), ...(detail ? { detail } : {}) };
  } catch (e) {
    // Messages of drivers name host:port, never a password (URLs are not echoed).
    return { ok: false, ms: Math.round(performance.now() - start), detail: (e as Error).message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

/** GET /readyz: every check at once, 503 with each one's result when any fails or the server is draining. */
export function readinessRoutes(o: { checks: () => ReadinessCheck[]; draining: () => boolean }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(readyz, async (c) => {
    const list = o.checks();
    const results = await Promise.all(list.map(run));
    const checks = Object.fromEntries(list.map((ch, i) => [ch.name, results[i]]));
    c.header('Cache-Control', 'no-store');
    if (o.draining()) return c.json({ status: 'draining' as const, checks, error: { code: 'draining', message: 'shutting down: no new traffic' } }, 503);
    const failed = list.filter((_, i) => !results[i].ok).map((ch) => ch.name);
    if (failed.length) return c.json({ status: 'not_ready' as const, checks, error: { code: 'not_ready', message: `not ready: ${failed.join(', ')}` } }, 503);
    return c.json({ status: 'ready' as const, checks }, 200);
  });
  return app;
}

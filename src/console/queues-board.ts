import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import { Hono, type MiddlewareHandler } from 'hono';
import { outboundQueueName } from '../channels/wechat/outbound.js';
import { MP_CHANNEL, WECHATY_CHANNEL } from '../channels/wechat/contacts.js';
import { bullPrefix, queueName, TIMER_QUEUE } from '../handoff/queue-names.js';
import type { AppEnv } from '../platform/http.js';
import type { RedisConnections } from '../platform/redis.js';
import type { StaffAuthenticator } from '../staff/principal.js';

export const QUEUES_PATH = '/console/queues';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/console/assets/console.css"></head><body class="plain"><main class="plain-page"><h1>${title}</h1>${body}<p><a href="/console/">返回工作台</a></p></main></body></html>`;

/** Admins only; in a browser a logged-out visitor is sent to the login page instead of a JSON 401. */
function adminsOnly(authenticate: StaffAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const staff = await authenticate(c.req.raw);
    if (!staff) {
      if (c.req.method === 'GET' && !c.req.path.startsWith(`${QUEUES_PATH}/api/`)) return c.redirect('/console/', 302);
      return c.json({ error: { code: 'unauthorized', message: '请先登录' } }, 401);
    }
    if (staff.role !== 'admin') return c.html(page('需要管理员权限', '<p>队列监控只对管理员开放。</p>'), 403);
    c.set('staff', staff);
    await next();
  };
}

export interface QueuesBoardOptions {
  redis: RedisConnections | null;
  authenticate: StaffAuthenticator;
  /** The departments whose handoff queues are shown. */
  departments: () => string[];
}

/**
 * Bull Board at /console/queues: the departments' handoff queues, the handoff timers and the
 * WeChat outbound queues. Without Redis there are no BullMQ queues: a page says so.
 */
export function queuesBoard(o: QueuesBoardOptions) {
  const app = new Hono<AppEnv>();
  const guard = adminsOnly(o.authenticate);
  app.use(QUEUES_PATH, guard);
  app.use(`${QUEUES_PATH}/*`, guard);
  const redis = o.redis;
  if (!redis) {
    const notConfigured = (c: Parameters<MiddlewareHandler<AppEnv>>[0]) =>
      c.html(page('队列监控未配置', '<p>没有配置 Redis（<code>REDIS_URL</code>），转人工队列在本进程内存中运行，没有 BullMQ 队列可看。</p><p>设置 <code>REDIS_URL</code> 并重启后，这里会显示各部门的转人工队列、计时任务和微信发送队列。</p>'), 200);
    app.get(QUEUES_PATH, notConfigured);
    app.get(`${QUEUES_PATH}/*`, notConfigured);
    return app;
  }

  // Bull Board is loaded on an admin's first visit, not at start-up (it and its UI cost ~0.1 s).
  let loading: Promise<Hono<AppEnv>> | null = null;
  const boardApp = () => (loading ??= mountBoard(redis, o.departments));
  app.get(QUEUES_PATH, dropFontLinks);
  app.get(`${QUEUES_PATH}/*`, dropFontLinks);
  app.all(QUEUES_PATH, async (c) => (await boardApp()).fetch(c.req.raw));
  app.all(`${QUEUES_PATH}/*`, async (c) => (await boardApp()).fetch(c.req.raw));
  return app;
}

// Bull Board's page asks Google Fonts for its typeface: no third-party requests from a
// government intranet page (and the CSP would refuse it); system fonts are used instead.
const dropFontLinks: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!c.res.headers.get('content-type')?.includes('text/html')) return;
  const html = (await c.res.text()).replace(/<link[^>]+fonts\.(googleapis|gstatic)\.com[^>]*>/g, '');
  c.res = new Response(html, { status: c.res.status, headers: c.res.headers });
};

async function mountBoard(redis: RedisConnections, departments: () => string[]): Promise<Hono<AppEnv>> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { Queue }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/hono'),
    import('bullmq'),
  ]);
  const app = new Hono<AppEnv>();
  const adapter = new HonoAdapter(serveStatic);
  adapter.setBasePath(QUEUES_PATH);
  const prefix = bullPrefix(redis.prefix);
  const made = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = made.get(name);
    if (!q) {
      q = new Queue(name, { connection: redis.command, prefix });
      q.on('error', () => {
        /* the shared connection logs outages itself */
      });
      made.set(name, q);
    }
    return new BullMQAdapter(q, { readOnlyMode: false });
  };
  const names = () => [...departments().map(queueName), TIMER_QUEUE, outboundQueueName(WECHATY_CHANNEL), outboundQueueName(MP_CHANNEL)];
  // @bull-board/hono 9.10.1 carries its own copy of @bull-board/api 9.10.1: the same shape, separate declarations.
  const board = createBullBoard({ queues: names().map(queue), serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'], options: { uiConfig: { boardTitle: 'govchat 队列' } } });
  // Departments come from the knowledge base, which an import may change: refresh on each page load.
  app.get(QUEUES_PATH, async (_c, next) => {
    board.replaceQueues(names().map(queue));
    await next();
  });
  app.route(QUEUES_PATH, adapter.registerPlugin());
  return app;
}


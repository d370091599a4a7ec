import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { analyticsRoutes } from './analytics/routes.js';
import { assetRoutes } from './channels/web/assets.js';
import { chatRoutes } from './channels/web/chat.js';
import { wechatMpRoutes } from './channels/wechat/mp.js';
import { formRoutes } from './forms/routes.js';
import { guidePages } from './kb/page.js';
import { sessionRoutes, staffHandoffRoutes } from './handoff/index.js';
import { guideRoutes } from './kb/routes.js';
import { searchRoutes } from './search/routes.js';
import { widgetCors } from './platform/cors.js';
import { errorHandler, notFoundHandler, requestLogging, validationHook, type AppEnv } from './platform/http.js';
import { followupRoutes, ratingRoutes } from './ratings/routes.js';
import type { Services } from './services.js';

/** One Hono app with every capability's routes mounted; the same app serves Node and the edge. */
export function createApp(s: Services) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(requestLogging(s.logger));
  app.onError(errorHandler(s.logger));
  app.notFound(notFoundHandler);
  app.use('/api/*', widgetCors(s.config.WIDGET_ORIGINS));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', guideRoutes(() => s.knowledge()));
  app.route('/', guidePages(() => s.knowledge()));
  app.route('/', searchRoutes(s.answerer));
  app.route(
    '/',
    chatRoutes({ engine: () => s.engine, maxMessageChars: s.config.MAX_MESSAGE_CHARS, maxBodyBytes: s.config.MAX_BODY_BYTES }),
  );

  app.route('/', formRoutes({ drafts: () => s.drafts, records: () => s.records, authenticate: s.staff.authenticate }));
  app.route(
    '/',
    sessionRoutes({ records: () => s.records, handoff: () => s.handoff.service, events: () => s.handoff.events, closing: s.handoff.closing }),
  );
  app.route(
    '/',
    staffHandoffRoutes({ handoff: () => s.handoff.service, events: () => s.handoff.events, authenticate: s.staff.authenticate, audit: s.staff.audit, closing: s.handoff.closing }),
  );
  app.route('/', s.staff.routes());
  app.route('/', ratingRoutes(() => s.ratings));
  app.route('/', followupRoutes(() => s.followups, s.staff.authenticate));
  app.route('/', analyticsRoutes({ analytics: () => s.analytics, unanswered: () => s.unanswered, exports: () => s.exports, authenticate: s.staff.authenticate, audit: s.staff.audit }));
  app.route('/', wechatMpRoutes({ token: s.config.WECHAT_MP_TOKEN, engine: () => s.engine, wechat: () => s.wechat, records: () => s.records, handoff: () => s.handoff.service, replyTimeoutMs: s.config.WECHAT_MP_REPLY_TIMEOUT_MS, maxMessageChars: s.config.MAX_MESSAGE_CHARS, logger: s.logger }));
  app.route('/', assetRoutes());

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'govchat API', version: '1', description: 'Government-services assistant: chat, guides, forms, handoff, staff.' },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

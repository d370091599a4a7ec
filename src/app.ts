import { analyticsRoutes } from './analytics/routes.js';
import { OPENAPI_CONFIG, createCoreApp } from './app-core.js';
import { consoleRoutes, type ConsoleOptions } from './console/index.js';
import { apiReferencePage, type OpenApiDocument } from './platform/api-reference.js';
import { describeOriginPages } from './platform/openapi-pages.js';
import { withCommonErrors } from './platform/openapi-document.js';
import { assetRoutes } from './channels/web/assets.js';
import { edgeIngestRoutes } from './edge/ingest.js';
import { wechatMpRoutes } from './channels/wechat/mp.js';
import { formRoutes } from './forms/routes.js';
import { sessionRoutes, staffHandoffRoutes } from './handoff/index.js';
import { followupRoutes, ratingRoutes } from './ratings/routes.js';
import { readinessRoutes } from './platform/health.js';
import { metricsRoutes } from './platform/metrics-route.js';
import { csrfGuard } from './platform/security.js';
import type { Services } from './services.js';
import { SESSION_COOKIE } from './staff/index.js';

/**
 * The Node origin's app: the shared core (the answer path, as the edge serves it) with every
 * capability that needs the database, the queues or staff mounted on it.
 */
export function createApp(s: Services, opts: { console?: ConsoleOptions } = {}) {
  const app = createCoreApp(s);
  // Before the routes they guard: CSRF for staff cookies, open event streams per address.
  app.use('/api/staff/*', csrfGuard(SESSION_COOKIE));
  app.use('/api/admin/*', csrfGuard(SESSION_COOKIE));
  app.use('/api/sessions/:id/events', s.limits.eventStreams());
  app.use('/api/staff/events', s.limits.eventStreams());
  app.route('/', readinessRoutes({ checks: s.readiness, draining: () => s.lifecycle.draining }));
  app.route('/', metricsRoutes({ token: s.config.METRICS_TOKEN }));
  app.route('/', formRoutes({ drafts: () => s.drafts, records: () => s.records, authenticate: s.staff.authenticate }));
  app.route('/', sessionRoutes({ records: () => s.records, handoff: () => s.handoff.service, events: () => s.handoff.events, closing: s.handoff.closing }));
  app.route(
    '/',
    staffHandoffRoutes({ handoff: () => s.handoff.service, events: () => s.handoff.events, authenticate: s.staff.authenticate, audit: s.staff.audit, closing: s.handoff.closing }),
  );
  app.route('/', s.staff.routes());
  app.route('/', ratingRoutes(() => s.ratings));
  app.route('/', followupRoutes(() => s.followups, s.staff.authenticate));
  app.route('/', analyticsRoutes({ analytics: () => s.analytics, unanswered: () => s.unanswered, exports: () => s.exports, authenticate: s.staff.authenticate, audit: s.staff.audit }));
  app.route('/', wechatMpRoutes({ token: s.config.WECHAT_MP_TOKEN, aes: s.config.WECHAT_MP_AES_KEY ? { key: s.config.WECHAT_MP_AES_KEY, appId: s.config.WECHAT_MP_APPID! } : undefined, engine: () => s.engine, wechat: () => s.wechat, records: () => s.records, handoff: () => s.handoff.service, replyTimeoutMs: s.config.WECHAT_MP_REPLY_TIMEOUT_MS, maxMessageChars: s.config.MAX_MESSAGE_CHARS, limitSession: (id) => s.limits.perSession(id), logger: s.logger }));
  app.route('/', consoleRoutes(s, opts.console));
  app.route('/', assetRoutes());
  describeOriginPages(app);
  // The reference is rendered from the whole document, every capability mounted.
  app.get('/docs', (c) => c.html(apiReferencePage(withCommonErrors(app.getOpenAPI31Document(OPENAPI_CONFIG)) as OpenApiDocument)));
  if (s.config.EDGE_INGEST_TOKEN) app.route('/', edgeIngestRoutes({ db: s.database.db, token: s.config.EDGE_INGEST_TOKEN }));
  return app;
}

export type App = ReturnType<typeof createApp>;

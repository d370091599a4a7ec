import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { chatRoutes } from './channels/web/chat.js';
import { guidePages } from './kb/page.js';
import { guideRoutes } from './kb/routes.js';
import { searchRoutes } from './search/routes.js';
import { widgetCors } from './platform/cors.js';
import { RequestLimits, limitSettings } from './platform/limits.js';
import { MemorySlidingWindow } from './platform/rate-limit.js';
import { securityHeaders } from './platform/security.js';
import { healthRoutes } from './platform/health.js';
import { describeCorePages } from './platform/openapi-pages.js';
import { withCommonErrors } from './platform/openapi-document.js';
import { errorHandler, notFoundHandler, requestLogging, validationHook, type AppEnv } from './platform/http.js';
import type { Services } from './services.js';

/**
 * What the answer path needs: the Node origin gives all of Services, the edge (src/edge.ts) only
 * these, with `forwardToOrigin` sending everything else (forms, handoff, staff, ratings) to the origin.
 */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: { title: 'govchat API', version: '1', description: 'Government-services assistant: chat, guides, forms, handoff, staff.' },
};

export type CoreServices = Pick<Services, 'config' | 'logger' | 'knowledge' | 'answerer' | 'engine' | 'forwardToOrigin'> & Partial<Pick<Services, 'limits' | 'observe'>>;

/**
 * The Hono app every deployment shares: request ids, logging, the error shape, CORS, health, the
 * guides and their pages, search and chat, the OpenAPI document. It imports nothing that needs
 * Node (SQL, Redis, native indexes), so the edge bundles it as it is.
 */
export function createCoreApp(s: CoreServices) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(requestLogging(s.logger));
  if (s.observe) app.use(s.observe);
  app.onError(errorHandler(s.logger));
  app.notFound(notFoundHandler);
  app.use(securityHeaders());
  app.use('/api/*', widgetCors(s.config.WIDGET_ORIGINS));
  // Limits come before any route (and before forwarding at the edge), so no request escapes them.
  const limits = s.limits ?? new RequestLimits(new MemorySlidingWindow(), limitSettings(s.config));
  app.use('/api/*', limits.body());
  app.use('/api/*', limits.perAddress());

  if (s.forwardToOrigin) app.use(s.forwardToOrigin);

  app.route('/', healthRoutes());
  app.route('/', guideRoutes(() => s.knowledge()));
  app.route('/', guidePages(() => s.knowledge()));
  app.route('/', searchRoutes(s.answerer));
  app.route('/', chatRoutes({ engine: () => s.engine, maxMessageChars: s.config.MAX_MESSAGE_CHARS, maxBodyBytes: s.config.MAX_BODY_BYTES, limitSession: (id) => limits.perSession(id) }));

  describeCorePages(app);
  // The document is made when asked for, from every route mounted by then (the origin mounts more).
  app.get('/openapi.json', (c) => c.json(withCommonErrors(app.getOpenAPI31Document(OPENAPI_CONFIG))));
  return app;
}

export type CoreApp = ReturnType<typeof createCoreApp>;

import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { chatRoutes } from './channels/web/chat.js';
import { guidePages } from './kb/page.js';
import { guideRoutes } from './kb/routes.js';
import { searchRoutes } from './search/routes.js';
import { errorHandler, notFoundHandler, requestLogging, validationHook, type AppEnv } from './platform/http.js';
import { edgeIngestRoutes } from './edge/ingest.js';
import type { AppServices } from './services.js';

/** One Hono app with every capability's routes mounted; the same app serves Node and the edge. */
export function createApp(s: AppServices) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(requestLogging(s.logger));
  app.onError(errorHandler(s.logger));
  app.notFound(notFoundHandler);

  if (s.forwardToOrigin) app.use(s.forwardToOrigin);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', guideRoutes(() => s.knowledge()));
  app.route('/', guidePages(() => s.knowledge()));
  app.route('/', searchRoutes(s.answerer));
  app.route(
    '/',
    chatRoutes({ engine: () => s.engine, maxMessageChars: s.config.MAX_MESSAGE_CHARS, maxBodyBytes: s.config.MAX_BODY_BYTES }),
  );

  if (s.database && s.config.EDGE_INGEST_TOKEN) app.route('/', edgeIngestRoutes({ db: s.database.db, token: s.config.EDGE_INGEST_TOKEN }));

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'govchat API', version: '1', description: 'Government-services assistant: chat, guides, forms, handoff, staff.' },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

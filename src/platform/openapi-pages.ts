import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { AppEnv } from './http.js';

type App = OpenAPIHono<AppEnv>;

const html = (description: string) => ({ 200: { content: { 'text/html': { schema: z.string() } }, description } });
const id = z.object({ id: z.string().openapi({ example: 'id-card-renewal' }) });

/**
 * The routes that answer HTML or a script rather than JSON (guide pages, the demo page, the
 * widget, the spec itself, this reference): described in the document too, so /openapi.json lists
 * every route the server answers.
 */
export function describeCorePages(app: App): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/guides/{id}',
    tags: ['guides'],
    summary: 'A service guide as a web page (the page citations link to)',
    request: { params: id },
    responses: { ...html('The guide page'), 404: { content: { 'text/html': { schema: z.string() } }, description: 'No such guide' } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/faq/{id}',
    tags: ['guides'],
    summary: 'A question and answer that belongs to no single guide, as a web page',
    request: { params: id },
    responses: { ...html('The FAQ page'), 404: { content: { 'text/html': { schema: z.string() } }, description: 'No such entry' } },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['operations'],
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { content: { 'application/json': { schema: z.object({ openapi: z.string() }).passthrough() } }, description: 'The document' } },
  });
}

export function describeOriginPages(app: App): void {
  app.openAPIRegistry.registerPath({ method: 'get', path: '/', tags: ['widget'], summary: 'Demo page: a city portal page embedding the widget', responses: html('The demo page') });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/widget.js',
    tags: ['widget'],
    summary: 'The chat widget for city sites (<script src=".../widget.js" defer>); ?v=<etag> makes it immutable',
    request: { query: z.object({ v: z.string().optional() }) },
    responses: {
      200: { content: { 'application/javascript': { schema: z.string() } }, description: 'The script' },
      304: { description: 'Not modified (If-None-Match)' },
      503: { content: { 'application/javascript': { schema: z.string() } }, description: 'Not built on this server (npm run build)' },
    },
  });
  app.openAPIRegistry.registerPath({ method: 'get', path: '/docs', tags: ['operations'], summary: 'API reference: this document as a web page', responses: html('The reference') });
  // The staff console (src/console): pages and its bundle; Bull Board's own UI and API below /console/queues.
  for (const path of ['/console', '/console/']) {
    app.openAPIRegistry.registerPath({ method: 'get', path, tags: ['console'], summary: 'Staff console and admin dashboard (a log-in page when not logged in)', responses: html('The console page') });
  }
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/console/assets/{name}',
    tags: ['console'],
    summary: "The console's bundled script and styles",
    request: { params: z.object({ name: z.string().openapi({ example: 'console.js' }) }) },
    responses: { 200: { content: { 'application/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } }, description: 'The asset' }, 404: { description: 'No such asset' } },
  });
  for (const path of ['/console/queues', '/console/queues/*']) {
    app.openAPIRegistry.registerPath({
      method: 'get',
      path,
      tags: ['console'],
      summary: 'Bull Board (admins): the BullMQ queues, its UI and its own API; a not-configured page without Redis',
      responses: { ...html('Bull Board'), 401: { description: 'Not logged in' }, 403: { description: 'Not an admin' } },
    });
  }
}

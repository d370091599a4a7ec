/**
 * The server of the HTTP benchmark, bundled like dist/main.js (scripts/build.mjs's options):
 * the real govchat app, built as src/main.ts builds it, on PORT; and, in the same process from the
 * same bundle and the same @hono/node-server, a bare Hono app with one hello-world route on
 * HELLO_PORT — the framework's ceiling, none of govchat's middleware in its way. With
 * UNCACHED_PORT, a second govchat app there with the answer cache off (ANSWER_CACHE_SIZE=0),
 * sharing the first one's index, with its own SQLite file: what a question never asked before costs.
 */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { createServices } from '../../src/services.js';

const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL });
const services = await createServices(config, logger);
const uncached = process.env.UNCACHED_PORT
  ? await createServices({ ...config, ANSWER_CACHE_SIZE: 0 }, logger, { library: services.library, sqlitePath: join(config.DATA_DIR, 'uncached.sqlite') })
  : null;
if (uncached) serve({ fetch: createApp(uncached).fetch, port: Number(process.env.UNCACHED_PORT), hostname: config.HOST });
// Last: the bench waits for this one's /healthz, and everything else is up by then.
serve({ fetch: createApp(services).fetch, port: config.PORT, hostname: config.HOST });

const hello = new Hono();
hello.post('/hello', (c) => c.text('hello'));
serve({ fetch: hello.fetch, port: Number(process.env.HELLO_PORT), hostname: config.HOST });

process.on('SIGTERM', () => {
  Promise.all([services.close(), uncached?.close()]).finally(() => process.exit(0));
});

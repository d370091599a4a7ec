import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import type { Server } from 'node:http';
import { createLogger } from './platform/logger.js';
import { gracefulShutdown } from './platform/shutdown.js';
import { DatabaseUnavailableError } from './records/db.js';
import { createServices } from './services.js';

/** Node entry: config -> services -> HTTP server -> graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  let services;
  try {
    services = await createServices(config, logger);
  } catch (e) {
    if (e instanceof DatabaseUnavailableError) {
      // Said plainly, once, without a stack: the operator's next step is to start or reach PostgreSQL.
      logger.fatal({ err: { message: e.message }, retriedForSeconds: config.DATABASE_CONNECT_RETRY_SECONDS }, 'database not reachable; giving up (check DATABASE_URL and that PostgreSQL is running)');
      process.exit(69); // EX_UNAVAILABLE
    }
    throw e;
  }
  const app = createApp(services);
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info({ port: info.port, url: `http://localhost:${info.port}/`, startupMs: Math.round(performance.now()) }, 'govchat is ready');
  });

  const stop = gracefulShutdown({
    server: server as Server,
    logger,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    drain: () => (services.lifecycle.draining = true),
    endStreams: () => services.handoff.endStreams(),
    closeServices: () => services.close(),
    exit: (code) => process.exit(code),
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  // A configuration problem found while starting (a broken prompt file): its message says it all.
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  console.error(e);
  process.exit(1);
});

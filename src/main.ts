import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './platform/logger.js';
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
  const services = await createServices(config, logger);
  const app = createApp(services);
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info({ port: info.port, url: `http://localhost:${info.port}/`, startupMs: Math.round(performance.now()) }, 'govchat is ready');
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.warn('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    services.handoff.endStreams(); // open event streams would hold the server open
    server.close(() => {
      services.close().finally(() => {
        clearTimeout(timer);
        process.exit(0);
      });
    });
  };
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

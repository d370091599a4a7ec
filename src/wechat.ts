/**
 * `npm run wechat`: the Wechaty bot, its own process. It opens the same services as the API
 * (knowledge base, dialogue engine, records, handoff) and logs a WeChat account in through the
 * puppet named by WECHATY_PUPPET.
 *
 * With REDIS_URL the staff API runs in the API processes (`npm start`), and staff replies reach
 * this process through Redis: it runs the BullMQ worker of the `wechat-outbound.wechat` queue.
 * Without Redis everything lives in one process, so this process also serves the HTTP API
 * (staff console, /api/staff/*) on PORT: run it instead of `npm start`, not beside it.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { WechatyBuilder, type OfficialPuppetNpmName, type Wechaty } from 'wechaty';
import { consumeBotOutbound } from '../workers/wechat-outbound.js';
import { createApp } from './app.js';
import { WechatBot } from './channels/wechat/bot.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './platform/logger.js';
import { createServices } from './services.js';

/** A Wechaty instance with the configured puppet; its log-in session is kept under DATA_DIR. */
export function buildWechaty(config: Config): Wechaty {
  return WechatyBuilder.build({
    // The memory card keeps the puppet's log-in session, so a restart need not scan again.
    name: join(config.DATA_DIR, 'wechaty'),
    // Wechaty types the official names only; it loads any installed wechaty-puppet-* package.
    puppet: config.WECHATY_PUPPET as OfficialPuppetNpmName,
    puppetOptions: config.WECHATY_PUPPET_SERVICE_TOKEN ? { token: config.WECHATY_PUPPET_SERVICE_TOKEN } : {},
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    if (!config.WECHATY_PUPPET) throw new ConfigError(['WECHATY_PUPPET: npm run wechat needs a puppet, e.g. WECHATY_PUPPET=wechaty-puppet-service with WECHATY_PUPPET_SERVICE_TOKEN (see README, WeChat)']);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'govchat-wechat' });
  const services = await createServices(config, logger);
  if (!config.PUBLIC_URL) logger.warn('PUBLIC_URL not set: the guide links the bot sends point to localhost');
  const bot = new WechatBot({ build: () => buildWechaty(config), engine: () => services.engine, wechat: services.wechat, logger, maxMessageChars: config.MAX_MESSAGE_CHARS, limitSession: (id) => services.limits.perSession(id) });
  const outbound = consumeBotOutbound({ bot, wechat: services.wechat, redis: services.redis, logger });

  let server: ServerType | null = null;
  if (!services.redis) {
    // One process holds the in-memory handoff: staff must reach it here.
    const app = createApp(services);
    server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) =>
      logger.info({ port: info.port }, 'no REDIS_URL: this bot process also serves the HTTP API (staff console); do not run npm start beside it'),
    );
  }
  await bot.start();
  logger.info({ puppet: config.WECHATY_PUPPET, redis: services.redis?.where ?? null }, 'WeChat bot started; waiting for log-in');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'WeChat bot shutting down (finishing the messages being answered)');
    const timer = setTimeout(() => {
      logger.warn('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    void (async () => {
      await outbound.close().catch((err: unknown) => logger.warn({ err }, 'outbound worker did not close cleanly'));
      await bot.stop().catch((err: unknown) => logger.warn({ err }, 'bot did not stop cleanly'));
      services.handoff.endStreams();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await services.close();
      clearTimeout(timer);
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    console.error(e);
    process.exit(1);
  });
}

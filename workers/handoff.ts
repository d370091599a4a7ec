/**
 * `npm run worker`: a handoff worker process (timeouts, reminders, the reconciling sweep). Run as
 * many copies as wanted, on any machine that reaches Redis and the database.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Job } from 'bullmq';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { ResilientSessionStore, RedisSessionStore } from '../src/dialogue/session.js';
import { createHandoff } from '../src/handoff/create.js';
import * as redisBackends from '../src/handoff/redis-backends.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { createLogger, type Logger } from '../src/platform/logger.js';
import { RedisConnections } from '../src/platform/redis.js';
import { openDatabase } from '../src/records/db.js';
import { ConversationRecords } from '../src/records/store.js';
import { startHandoffWorker } from './handoff-worker.js';
import { startMpOutboundWorker } from './wechat-outbound.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function runWorker(config: Config, logger: Logger, opts: { around?: (job: Job, run: () => Promise<void>) => Promise<void> } = {}): Promise<RunningWorker> {
  if (!config.REDIS_URL) {
    throw new ConfigError(['REDIS_URL: the worker needs Redis (without REDIS_URL the API process runs the handoff timers itself)']);
  }
  const database = await openDatabase({ url: config.DATABASE_URL, sqlitePath: join(config.DATA_DIR, 'govchat.sqlite') });
  const records = new ConversationRecords(database.db, database.dialect);
  const redis = new RedisConnections(config.REDIS_URL, config.REDIS_PREFIX, logger);
  if (!(await redis.connect(5000))) logger.warn({ redis: redis.where }, 'redis not reachable yet; the worker waits for it');
  // Guide titles and departments, for the summaries and the list of queues.
  const kb = loadKnowledgeBase([config.KNOWLEDGE_DIR, ...config.KNOWLEDGE_EXTRA_DIRS]);
  const sessions = new ResilientSessionStore(new RedisSessionStore(redis.command, config.REDIS_PREFIX));
  const handoff = createHandoff({ config, logger, records, sessions, redis, redisBackends, knowledge: () => kb });
  const worker = await startHandoffWorker({
    redis,
    jobs: handoff.service,
    logger,
    concurrency: config.WORKER_CONCURRENCY,
    lockMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    maxStalled: config.WORKER_MAX_STALLED,
    sweepMs: config.HANDOFF_SWEEP_SECONDS * 1000,
    around: opts.around,
  });
  // Customer-service messages of the Official Account (staff replies, slow and long answers).
  const mpOutbound = startMpOutboundWorker({ config, redis, db: database.db, logger });
  logger.info({ redis: redis.where, database: database.where, concurrency: config.WORKER_CONCURRENCY, pid: process.pid, wechatMp: !!mpOutbound }, 'handoff worker ready');
  return {
    stop: async () => {
      await mpOutbound?.close();
      await worker.close();
      await handoff.close();
      await redis.close();
      await database.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'govchat-worker' });
  let running: RunningWorker;
  try {
    running = await runWorker(config, logger);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78);
    }
    throw e;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down (finishing running jobs)');
    const timer = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
    running.stop().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

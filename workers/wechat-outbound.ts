import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { bullPrefix } from '../src/handoff/bullmq-queue.js';
import type { Logger } from '../src/platform/logger.js';
import type { RedisConnections } from '../src/platform/redis.js';
import type { Kysely } from 'kysely';
import type { Config } from '../src/config.js';
import type { Database } from '../src/records/schema.js';
import { MP_CHANNEL, WECHATY_CHANNEL, type WechatChannelName } from '../src/channels/wechat/contacts.js';
import { AccessTokens, CustomerService, RedisTokenCache } from '../src/channels/wechat/mp-api.js';
import type { WechatBot } from '../src/channels/wechat/bot.js';
import type { WechatChannel } from '../src/channels/wechat/index.js';
import { outboundQueueName } from '../src/channels/wechat/outbound-bullmq.js';
import { DeliveryLog, errorInfo, PermanentDeliveryError, sendParts, type OutboundConsumer, type OutboundJob, type OutboundSender } from '../src/channels/wechat/outbound.js';

export interface OutboundWorkerOptions {
  redis: RedisConnections;
  channel: WechatChannelName;
  sender: OutboundSender;
  deliveries: DeliveryLog;
  logger: Logger;
  /**
   * Jobs at once. 1 keeps one contact's messages in order (BullMQ has no per-contact ordering);
   * a city's staff replies are few enough for one at a time.
   */
  concurrency?: number;
  /** At most `max` messages per `duration` ms (a personal WeChat account sending fast is restricted). */
  limiter?: { max: number; duration: number };
  lockMs?: number;
  stalledIntervalMs?: number;
  /** False: created idle, started with worker.run() (the bot starts it once logged in). */
  autorun?: boolean;
}

/**
 * The worker of a `wechat-outbound.<channel>` queue: sends each job's parts in order, records
 * progress on the job so a retry resumes after the last part sent, retries with exponential
 * backoff (attempts and delay set on the job), and gives up at once on a permanent failure
 * (45015: outside the 48-hour window), recording the outcome in wechat_deliveries. Run by the
 * bot process for `wechat`, by `npm run worker` for `wechat-mp`.
 */
export function startOutboundWorker(o: OutboundWorkerOptions): OutboundConsumer & { worker: Worker } {
  const run = async (job: Job) => {
    const data = job.data as OutboundJob;
    const from = typeof job.progress === 'number' ? job.progress : 0;
    const attempt = job.attemptsMade + 1;
    try {
      await sendParts(o.sender, data, from, (n) => job.updateProgress(n));
      await o.deliveries.sent(data.id, attempt);
    } catch (e) {
      const info = errorInfo(e);
      if (e instanceof PermanentDeliveryError) {
        o.logger.warn({ messageId: data.id, channel: data.channel, attempt, code: info.code, err: { message: info.message } }, 'outbound message cannot be delivered; not retried');
        await o.deliveries.failed(data.id, attempt, info);
        throw new UnrecoverableError(`${info.code}: ${info.message}`);
      }
      const last = attempt >= (job.opts.attempts ?? 1);
      if (last) {
        o.logger.warn({ messageId: data.id, channel: data.channel, attempt, code: info.code, err: { message: info.message } }, 'outbound message failed after its last attempt');
        await o.deliveries.failed(data.id, attempt, info);
      } else {
        o.logger.info({ messageId: data.id, channel: data.channel, attempt, code: info.code }, 'outbound message not sent; will retry');
        await o.deliveries.attempted(data.id, attempt, info);
      }
      throw e;
    }
  };
  const worker = new Worker(outboundQueueName(o.channel), run, {
    connection: o.redis.worker(),
    prefix: bullPrefix(o.redis.prefix),
    concurrency: o.concurrency ?? 1,
    ...(o.limiter ? { limiter: o.limiter } : {}),
    ...(o.lockMs ? { lockDuration: o.lockMs } : {}),
    ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
    autorun: o.autorun ?? true,
  });
  worker.on('error', (err) => o.logger.warn({ err: { message: err.message }, queue: outboundQueueName(o.channel) }, 'outbound worker error'));
  return {
    worker,
    close: async () => {
      await worker.close();
    },
  };
}

/**
 * The bot's side of the `wechat` outbound queue: messages are taken only while the bot is logged
 * in (the BullMQ worker pauses on log-out and resumes on log-in; in process, the queue is
 * attached at the first log-in and a send while logged out is retried with backoff).
 */
export function consumeBotOutbound(o: { bot: WechatBot; wechat: WechatChannel; redis: RedisConnections | null; logger: Logger; limiter?: { max: number; duration: number } }): OutboundConsumer {
  if (!o.redis) {
    const memory = o.wechat.memory?.[WECHATY_CHANNEL];
    if (!memory) throw new Error('no in-process outbound queue for the bot');
    let attached: OutboundConsumer | null = null;
    const off = o.bot.onOnline((online) => {
      if (online && !attached) attached = memory.attach(o.bot);
    });
    return {
      close: async () => {
        off();
        await attached?.close();
      },
    };
  }
  const c = startOutboundWorker({ redis: o.redis, channel: WECHATY_CHANNEL, sender: o.bot, deliveries: o.wechat.deliveries, logger: o.logger, limiter: o.limiter ?? { max: 30, duration: 60_000 }, autorun: false });
  let running = false;
  const off = o.bot.onOnline((online) => {
    if (online) {
      if (!running) {
        running = true;
        c.worker.run().catch((err: unknown) => o.logger.error({ err }, 'outbound worker stopped'));
      } else c.worker.resume();
    } else if (running) void c.worker.pause(true).catch(() => {});
  });
  return {
    close: async () => {
      off();
      await c.close();
    },
  };
}

/**
 * `npm run worker`'s part of the Official Account channel: the worker of the
 * `wechat-outbound.wechat-mp` queue, sending customer-service messages (staff replies, answers
 * that missed the 5-second reply, the rest of long answers). Null when WECHAT_MP_APPID and
 * WECHAT_MP_SECRET are not set.
 */
export function startMpOutboundWorker(o: { config: Config; redis: RedisConnections; db: Kysely<Database>; logger: Logger }): (OutboundConsumer & { worker: Worker }) | null {
  const { config } = o;
  if (!config.WECHAT_MP_APPID || !config.WECHAT_MP_SECRET) return null;
  const tokens = new AccessTokens({
    base: config.WECHAT_API_BASE,
    appId: config.WECHAT_MP_APPID,
    secret: config.WECHAT_MP_SECRET,
    cache: new RedisTokenCache(o.redis.command, o.redis.prefix, config.WECHAT_MP_APPID),
    logger: o.logger,
  });
  const sender = new CustomerService(tokens, { base: config.WECHAT_API_BASE });
  return startOutboundWorker({ redis: o.redis, channel: MP_CHANNEL, sender, deliveries: new DeliveryLog(o.db), logger: o.logger });
}

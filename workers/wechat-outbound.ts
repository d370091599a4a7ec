import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { bullPrefix } from '../src/handoff/bullmq-queue.js';
import type { Logger } from '../src/platform/logger.js';
import type { RedisConnections } from '../src/platform/redis.js';
import type { WechatChannelName } from '../src/channels/wechat/contacts.js';
import { outboundQueueName } from '../src/channels/wechat/outbound-bullmq.js';
import { errorInfo, PermanentDeliveryError, sendParts, type DeliveryLog, type OutboundConsumer, type OutboundJob, type OutboundSender } from '../src/channels/wechat/outbound.js';

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
  });
  worker.on('error', (err) => o.logger.warn({ err: { message: err.message }, queue: outboundQueueName(o.channel) }, 'outbound worker error'));
  return {
    worker,
    close: async () => {
      await worker.close();
    },
  };
}

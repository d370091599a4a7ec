import { Queue } from 'bullmq';
import { bullPrefix } from '../../handoff/queue-names.js';
import type { Logger } from '../../platform/logger.js';
import { withTimeout, type RedisConnections } from '../../platform/redis.js';
import type { WechatChannelName } from './contacts.js';
import { DEFAULT_RETRY, errorInfo, outboundQueueName, type DeliveryLog, type OutboundJob, type OutboundQueue, type RetryPolicy } from './outbound.js';

export { outboundQueueName };

/** How long finished jobs are kept: a message queued again meanwhile is recognised by its job id. */
const KEEP_DONE = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 };

export class BullOutboundQueue implements OutboundQueue {
  readonly kind = 'redis' as const;
  private readonly queue: Queue;

  constructor(
    private readonly redis: RedisConnections,
    readonly channel: WechatChannelName,
    private readonly deliveries: DeliveryLog,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.queue = new Queue(outboundQueueName(channel), { connection: redis.command, prefix: bullPrefix(redis.prefix) });
    this.queue.on('error', () => {
      /* connection errors are logged once per outage by the connection itself */
    });
  }

  async enqueue(job: OutboundJob): Promise<boolean> {
    // The delivery row decides who queues a message several processes heard of; the job id
    // (the message id) keeps one job even if two got past it.
    if (!(await this.deliveries.queued(job))) return false;
    try {
      if (!this.redis.ready()) throw new Error('redis is not connected');
      await withTimeout(
        this.queue.add('send', job, {
          jobId: job.id,
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          ...(job.delayMs ? { delay: job.delayMs } : {}),
          removeOnComplete: KEEP_DONE,
          removeOnFail: KEEP_FAILED,
        }),
        3000,
        'outbound queue add',
      );
    } catch (e) {
      const info = errorInfo(e);
      this.logger.warn({ messageId: job.id, channel: job.channel, err: { message: info.message } }, 'outbound message could not be queued (Redis unavailable); recorded as failed');
      await this.deliveries.failed(job.id, 0, { code: 'queue_unavailable', message: info.message });
      throw e;
    }
    return true;
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }
}

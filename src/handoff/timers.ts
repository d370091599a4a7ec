import { Queue } from 'bullmq';
import { withTimeout, type RedisConnections } from '../platform/redis.js';
import { MemoryTimers, type TickRunner, type TimerScheduler } from './memory-timers.js';
import { bullPrefix, QueueUnavailableError, TIMER_QUEUE, timerJobId } from './queue-names.js';

export { MemoryTimers, TIMER_QUEUE, timerJobId, type TickRunner, type TimerScheduler };

export class BullTimers implements TimerScheduler {
  readonly kind = 'redis' as const;
  readonly queue: Queue;

  constructor(private readonly redis: RedisConnections) {
    this.queue = new Queue(TIMER_QUEUE, { connection: redis.command, prefix: bullPrefix(redis.prefix) });
    this.queue.on('error', () => {});
  }

  async schedule(handoffId: string, dueAt: number): Promise<void> {
    if (!this.redis.ready()) throw new QueueUnavailableError();
    await withTimeout(
      this.queue.add(
        'tick',
        { handoffId },
        {
          jobId: timerJobId(handoffId, dueAt),
          delay: Math.max(0, dueAt - Date.now()),
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      ),
      3000,
      'timer add',
    );
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }
}

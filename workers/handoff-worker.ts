import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '../src/platform/logger.js';
import type { RedisConnections } from '../src/platform/redis.js';
import { bullPrefix } from '../src/handoff/bullmq-queue.js';
import { TIMER_QUEUE } from '../src/handoff/timers.js';

/** The repeatable job that reconciles queues and timers with the database. */
export const SWEEP_SCHEDULER = 'handoff-sweep';
/** Reserved for the daily records-retention job (see scheduleRetention). */
export const RETENTION_SCHEDULER = 'records-retention';

/** What the worker's jobs do: the handoff service's tick and sync. */
export interface HandoffJobs {
  tick(handoffId: string): Promise<void>;
  sync(): Promise<unknown>;
}

export interface HandoffWorkerOptions {
  redis: RedisConnections;
  jobs: HandoffJobs;
  logger: Logger;
  concurrency: number;
  /** A job's lock; a worker that dies holding it loses it after this and the job runs elsewhere. */
  lockMs: number;
  stalledIntervalMs: number;
  maxStalled: number;
  sweepMs: number;
  /** Wraps every job (tests slow one down to kill the worker in the middle of it). */
  around?: (job: Job, run: () => Promise<void>) => Promise<void>;
}

export interface HandoffWorker {
  worker: Worker;
  queue: Queue;
  close(): Promise<void>;
}

/**
 * RECORDS RETENTION HOOK — where the daily purge of expired records will be scheduled. When
 * src/records/retention.ts (purgeExpired(db, days)) lands, this becomes:
 *   await queue.upsertJobScheduler(RETENTION_SCHEDULER, { pattern: '0 30 3 * * *', tz: 'Asia/Shanghai' }, { name: 'retention' });
 * with a 'retention' case in `process` below calling purgeExpired(db, config.RETENTION_DAYS).
 * Until then nothing is scheduled (the purge function does not exist in this branch).
 */
export async function scheduleRetention(_queue: Queue): Promise<void> {}

/**
 * The handoff worker: runs the timers (escalation, left-message offer, idle close) and the
 * periodic sweep from the `handoff-timers` BullMQ queue. Any number of copies may run: BullMQ
 * gives each job to one of them, and a job whose worker dies (even SIGKILL) is found stalled
 * once its lock lapses and is run again by another copy. The job handlers decide from the
 * database, so running one twice is harmless.
 */
export async function startHandoffWorker(o: HandoffWorkerOptions): Promise<HandoffWorker> {
  const prefix = bullPrefix(o.redis.prefix);
  const queue = new Queue(TIMER_QUEUE, { connection: o.redis.command, prefix });
  queue.on('error', () => {});

  const process = async (job: Job) => {
    switch (job.name) {
      case 'tick':
        await o.jobs.tick(String((job.data as { handoffId: string }).handoffId));
        return;
      case 'sweep':
        await o.jobs.sync();
        return;
      default:
        o.logger.warn({ job: job.name, id: job.id }, 'unknown job ignored');
    }
  };

  const worker = new Worker(TIMER_QUEUE, async (job) => (o.around ? o.around(job, () => process(job)) : process(job)), {
    connection: o.redis.worker(),
    prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: o.maxStalled,
  });
  worker.on('failed', (job, err) => o.logger.warn({ job: job?.name, id: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'handoff job failed'));
  worker.on('stalled', (id) => o.logger.warn({ id }, 'job of a lost worker put back in the queue'));
  worker.on('error', (err) => o.logger.warn({ err: { message: err.message } }, 'worker error'));

  const schedule = async () => {
    await queue.upsertJobScheduler(SWEEP_SCHEDULER, { every: o.sweepMs }, { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } });
    await scheduleRetention(queue);
  };
  await schedule().catch((err: unknown) => o.logger.warn({ err }, 'could not schedule the sweep yet; will when Redis answers'));
  // A Redis that restarted empty has lost the schedulers: set them again.
  o.redis.onReconnect(() => void schedule().catch(() => {}));

  return {
    worker,
    queue,
    close: async () => {
      await worker.close();
      await queue.close().catch(() => {});
    },
  };
}

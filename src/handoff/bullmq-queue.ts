import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withTimeout, type RedisConnections } from '../platform/redis.js';
import { bullPriority } from './priority.js';
import type { HandoffQueue, QueueEntry } from './queue.js';
import { bullPrefix, queueName, QueueUnavailableError } from './queue-names.js';

export { bullPrefix, queueName, QueueUnavailableError } from './queue-names.js';

/**
 * The departments' queues on BullMQ: a handoff is a prioritised job whose id is the handoff id,
 * so adding it twice (a rebuild from the database) keeps one job. No BullMQ worker consumes these
 * queues: staff take jobs by conversation, and the database decides who wins a claim.
 */
export class BullHandoffQueue implements HandoffQueue {
  readonly kind = 'redis' as const;
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  private queue(department: string): Queue {
    let q = this.queues.get(department);
    if (!q) {
      q = new Queue(queueName(department), { connection: this.redis.command, prefix: bullPrefix(this.redis.prefix) });
      q.on('error', () => {
        /* connection errors are logged once per outage by the connection itself */
      });
      this.queues.set(department, q);
    }
    return q;
  }

  /** Fails at once when Redis is away (BullMQ would otherwise wait for it), and after a deadline. */
  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (!this.redis.ready()) throw new QueueUnavailableError();
    try {
      return await withTimeout(fn(), this.opts.timeoutMs ?? 3000, what);
    } catch (e) {
      if (!this.redis.ready() || /writeable|Connection is closed|timed out|ECONNREFUSED|ECONNRESET/i.test((e as Error).message)) {
        throw new QueueUnavailableError((e as Error).message);
      }
      throw e;
    }
  }

  async add(entry: QueueEntry): Promise<void> {
    await this.run('queue add', () => this.queue(entry.department).add('handoff', entry, { jobId: entry.handoffId, priority: bullPriority(entry.priority) }));
  }

  async remove(department: string, handoffId: string): Promise<void> {
    await this.run('queue remove', () => this.queue(department).remove(handoffId));
  }

  /**
   * The queue in order, read in one round trip: a small Lua script takes the prioritised sorted
   * set and each job's data, instead of Queue.getJobs (a round trip and a Job object per job), so
   * listing 1,000 waiting conversations stays within milliseconds. It relies on BullMQ's layout
   * (the "prioritized" sorted set, a hash per job with a "data" field), which the contract tests
   * exercise.
   */
  async list(department: string, limit = 10_000): Promise<QueueEntry[]> {
    const q = this.queue(department);
    const rows = await this.run('queue list', () => listJobData(this.redis.command, q.toKey('prioritized'), q.toKey(''), limit));
    // A job removed between the two reads has no data: it is no longer waiting.
    return rows.filter(Boolean).map((data) => JSON.parse(data) as QueueEntry);
  }

  async position(department: string, handoffId: string): Promise<number | null> {
    const q = this.queue(department);
    // BullMQ keeps prioritised jobs in one sorted set scored by (priority, arrival): the rank is the place.
    const rank = await this.run('queue position', () => this.redis.command.zrank(q.toKey('prioritized'), handoffId));
    return rank === null ? null : rank + 1;
  }

  async count(department: string): Promise<number> {
    return this.run('queue count', () => this.queue(department).getPrioritizedCount());
  }

  async setPriority(department: string, handoffId: string, priority: number): Promise<void> {
    await this.run('queue priority', async () => {
      const job = await this.queue(department).getJob(handoffId);
      if (!job) return;
      await job.updateData({ ...(job.data as QueueEntry), priority });
      await job.changePriority({ priority: bullPriority(priority) });
    });
  }

  available(): boolean {
    return this.redis.ready();
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }
}

const LIST_SCRIPT = `local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]))
local out = {}
for i, id in ipairs(ids) do out[i] = redis.call('HGET', ARGV[1] .. id, 'data') or '' end
return out`;

type WithList = Redis & { govchatListJobs?: (key: string, jobPrefix: string, last: number) => Promise<string[]> };

function listJobData(client: Redis, prioritizedKey: string, jobPrefix: string, limit: number): Promise<string[]> {
  const c = client as WithList;
  // Defined once per connection; ioredis sends EVALSHA and loads the script again after a Redis restart.
  if (!c.govchatListJobs) client.defineCommand('govchatListJobs', { numberOfKeys: 1, lua: LIST_SCRIPT });
  return c.govchatListJobs!(prioritizedKey, jobPrefix, limit - 1);
}

import type { Config } from '../config.js';
import type { SessionStore } from '../dialogue/session.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Logger } from '../platform/logger.js';
import type { RedisConnections } from '../platform/redis.js';
import type { ConversationRecords } from '../records/store.js';
import { MemoryEventBus, RedisEventBus, type EventBus } from './events.js';
import { MemoryHandoffQueue, type HandoffQueue } from './queue.js';
import { handoffSettings, HandoffService } from './service.js';
import { HandoffStore } from './store.js';
import { MemoryTimers, type TimerScheduler } from './memory-timers.js';
import type { RedisBackends } from './redis-backends.js';

export interface Handoff {
  service: HandoffService;
  queue: HandoffQueue;
  events: EventBus;
  timers: TimerScheduler;
  store: HandoffStore;
  /** Aborted on close: open event streams end. */
  closing: AbortSignal;
  /** Ends every open event stream (first step of a graceful shutdown, so the HTTP server can close). */
  endStreams(): void;
  close(): Promise<void>;
}

export interface HandoffOptions {
  config: Config;
  logger: Logger;
  records: ConversationRecords;
  sessions: SessionStore;
  /** With Redis: BullMQ queues, pub/sub events, timers for the worker processes. Without: in memory. */
  redis: RedisConnections | null;
  /** With Redis: the BullMQ queue and timers (./redis-backends.js, imported only then: bullmq is not loaded without Redis). */
  redisBackends?: RedisBackends;
  knowledge?: () => KnowledgeBase;
  now?: () => number;
}

/** Departments with a queue: every guide's department, the general queue, and those configured. */
export function departmentsOf(config: Config, kb?: KnowledgeBase): string[] {
  const configured = [config.HANDOFF_HOURS, config.HANDOFF_MAX_WAIT_MINUTES, config.HANDOFF_LEFT_MESSAGE_AFTER_MINUTES]
    .flatMap((spec) => spec.split(';'))
    .map((part) => part.split('=')[0]?.trim())
    .filter((name): name is string => !!name && name !== 'default' && !/^[\d.]+$/.test(name) && !/^(always|never)/i.test(name));
  return [...new Set([...(kb?.guides.map((g) => g.department) ?? []), config.HANDOFF_GENERAL_DEPARTMENT, ...configured])].sort();
}

/** The handoff capability, wired for Redis or for one process. */
export function createHandoff(o: HandoffOptions): Handoff {
  const store = new HandoffStore(o.records.db);
  if (o.redis && !o.redisBackends) throw new Error('createHandoff: with redis, pass redisBackends (await import("./redis-backends.js"))');
  const queue: HandoffQueue = o.redis ? o.redisBackends!.queue(o.redis) : new MemoryHandoffQueue();
  const events: EventBus = o.redis ? new RedisEventBus(o.redis, o.logger) : new MemoryEventBus(o.logger);
  const memoryTimers = o.redis ? null : new MemoryTimers(o.logger);
  const timers: TimerScheduler = memoryTimers ?? o.redisBackends!.timers(o.redis!);
  let departments: { kb: KnowledgeBase | undefined; list: string[] } | null = null;
  const service = new HandoffService({
    records: o.records,
    store,
    queue,
    events,
    timers,
    sessions: o.sessions,
    settings: handoffSettings(o.config),
    guide: (id) => {
      const g = o.knowledge?.().byId.get(id);
      return g ? { title: g.title, department: g.department } : undefined;
    },
    departments: () => {
      const kb = o.knowledge?.();
      if (!departments || departments.kb !== kb) departments = { kb, list: departmentsOf(o.config, kb) };
      return departments.list;
    },
    logger: o.logger.child({ capability: 'handoff' }),
    now: o.now,
  });
  // Without Redis this process runs its own timers; with Redis the worker processes do.
  memoryTimers?.setRunner((id) => service.tick(id));
  // Redis back after an outage (possibly empty): rebuild queues and timers from the database.
  o.redis?.onReconnect(() => {
    service.sync().catch((err: unknown) => o.logger.warn({ err }, 'handoff reconcile after reconnect failed'));
  });
  const closing = new AbortController();
  return {
    service,
    queue,
    events,
    timers,
    store,
    closing: closing.signal,
    endStreams: () => closing.abort(),
    close: async () => {
      closing.abort();
      await service.settled().catch(() => {});
      await timers.close();
      await events.close();
      await queue.close();
    },
  };
}

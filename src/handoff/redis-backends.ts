import type { RedisConnections } from '../platform/redis.js';
import { BullHandoffQueue } from './bullmq-queue.js';
import type { HandoffQueue } from './queue.js';
import { BullTimers } from './timers.js';
import type { TimerScheduler } from './memory-timers.js';

/** The handoff's Redis side (BullMQ), imported by services only when REDIS_URL is set. */
export interface RedisBackends {
  queue(redis: RedisConnections): HandoffQueue;
  timers(redis: RedisConnections): TimerScheduler;
}

export const queue: RedisBackends['queue'] = (redis) => new BullHandoffQueue(redis);
export const timers: RedisBackends['timers'] = (redis) => new BullTimers(redis);

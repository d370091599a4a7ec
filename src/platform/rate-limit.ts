import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** The outcome of one counted request in a sliding window. */
export interface RateDecision {
  allowed: boolean;
  /** Requests counted in the window, this one included when allowed. */
  count: number;
  /** When refused: milliseconds until the oldest counted request leaves the window. */
  retryAfterMs: number;
}

/**
 * A sliding-window log: a request is allowed when fewer than `limit` requests of the same key were
 * allowed in the last `windowMs`. Exact (no fixed-window burst at the minute boundary), at the cost
 * of one timestamp per allowed request, which the limits keep small.
 */
export interface SlidingWindow {
  hit(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

/** In one process: a log of timestamps per key, swept of idle keys now and then. */
export class MemorySlidingWindow implements SlidingWindow {
  private readonly logs = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.hitSync(key, limit, windowMs);
  }

  hitSync(key: string, limit: number, windowMs: number): RateDecision {
    const now = this.now();
    const from = now - windowMs;
    this.sweep(now, windowMs);
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    let drop = 0;
    while (drop < log.length && log[drop] <= from) drop++;
    if (drop) log.splice(0, drop);
    if (log.length >= limit) return { allowed: false, count: log.length, retryAfterMs: Math.max(1, log[0] + windowMs - now) };
    log.push(now);
    return { allowed: true, count: log.length, retryAfterMs: 0 };
  }

  private sweep(now: number, windowMs: number): void {
    // Idle keys (every entry older than the window) would otherwise pile up, one per address seen.
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [k, log] of this.logs) if (!log.length || log[log.length - 1] <= now - windowMs) this.logs.delete(k);
  }
}

/**
 * One atomic script per request, so instances sharing the Redis never both take the last slot:
 * drop what left the window, count, add when under the limit. Time is Redis's own clock, so
 * instances with skewed clocks agree. The member is unique per call (given by the caller).
 */
const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  if retry < 1 then retry = 1 end
  return {0, count, retry}
end
redis.call('ZADD', key, now, ARGV[3])
redis.call('PEXPIRE', key, window)
return {1, count + 1, 0}
`;

type RedisWithLimiter = Redis & { govchatSlidingWindow(key: string, limit: number, windowMs: number, member: string): Promise<[number, number, number]> };

/**
 * Limits shared by every instance through Redis. While Redis is away the process falls back to
 * its own memory window (logged once per outage): citizens keep being answered, and each instance
 * still holds the limit on its own.
 */
export class RedisSlidingWindow implements SlidingWindow {
  private readonly redis: RedisWithLimiter;
  private readonly fallback: MemorySlidingWindow;
  private degraded = false;
  private seq = 0;
  private readonly id = Math.random().toString(36).slice(2, 10);

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly logger?: Logger,
    now: () => number = Date.now,
  ) {
    if (!('govchatSlidingWindow' in redis)) redis.defineCommand('govchatSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    this.redis = redis as RedisWithLimiter;
    this.fallback = new MemorySlidingWindow(now);
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    try {
      const [allowed, count, retry] = await this.redis.govchatSlidingWindow(`${this.prefix}:rl:${key}`, limit, windowMs, `${Date.now()}-${(this.seq = (this.seq + 1) % 1e9)}-${this.id}`);
      if (this.degraded) {
        this.degraded = false;
        this.logger?.info('rate limits back in redis');
      }
      return { allowed: allowed === 1, count, retryAfterMs: retry };
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger?.warn({ err: { message: (err as Error).message } }, 'rate limits unavailable in redis; limiting per instance meanwhile');
      }
      return this.fallback.hitSync(key, limit, windowMs);
    }
  }
}

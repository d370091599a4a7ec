import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/** Where a Redis URL points, for logs: scheme, host, port and database, never the password. */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    const db = u.pathname && u.pathname !== '/' ? u.pathname : '/0';
    return `${u.protocol}//${u.hostname}:${u.port || 6379}${db}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

/** Reconnect delays: 100 ms doubling to 5 s, with jitter so many instances do not reconnect in step. */
export function backoff(times: number): number {
  const base = Math.min(100 * 2 ** Math.min(times, 6), 5000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export type RedisRole = 'command' | 'subscriber' | 'worker';

/**
 * Options per role. Commands of the API (sessions, queue producers, publishing) fail fast while
 * Redis is away (`enableOfflineQueue: false`), so a citizen's request degrades at once instead of
 * hanging. The subscriber queues its SUBSCRIBEs until Redis is back. BullMQ workers use blocking
 * commands and need `maxRetriesPerRequest: null`.
 */
export function redisOptions(role: RedisRole): RedisOptions {
  const common: RedisOptions = { lazyConnect: true, retryStrategy: backoff, connectTimeout: 5000, connectionName: `govchat-${role}` };
  if (role === 'command') return { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3000 };
  if (role === 'subscriber') return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
  return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
}

/** One connection with logs that say when Redis goes away and comes back, once per outage. */
export function createRedis(url: string, role: RedisRole, logger: Logger): Redis {
  const where = redisWhere(url);
  const client = new Redis(url, redisOptions(role));
  let down = false;
  let everReady = false;
  client.on('ready', () => {
    if (down || !everReady) logger.info({ redis: where, role }, everReady ? 'redis is back' : 'redis ready');
    down = false;
    everReady = true;
  });
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    // ioredis messages name host:port (ECONNREFUSED 127.0.0.1:6379); never the password.
    logger.warn({ redis: where, role, err: { message: err.message } }, 'redis unavailable; retrying in the background');
  });
  return client;
}

/**
 * The Redis connections of one process. `command` is shared by sessions, queue producers and
 * publishers; `subscriber()` and `worker()` give dedicated connections (a subscribed connection
 * cannot run other commands; BullMQ workers block). Nothing connects until `connect()`.
 */
export class RedisConnections {
  readonly where: string;
  readonly command: Redis;
  private readonly extra: Redis[] = [];
  private readyListeners: Array<() => void> = [];
  private firstReady = false;

  constructor(
    readonly url: string,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.where = redisWhere(url);
    this.command = createRedis(url, 'command', logger);
    this.command.on('ready', () => {
      // Every "ready" after the first is a reconnect: listeners rebuild what Redis may have lost.
      if (this.firstReady) for (const l of this.readyListeners) l();
      this.firstReady = true;
    });
  }

  /** Starts connecting; resolves when ready or after `waitMs`, whichever is first (never throws). */
  async connect(waitMs = 3000): Promise<boolean> {
    this.command.connect().catch(() => {
      /* logged by the error handler; ioredis keeps retrying */
    });
    return this.waitReady(waitMs);
  }

  ready(): boolean {
    return this.command.status === 'ready';
  }

  async waitReady(ms: number): Promise<boolean> {
    if (this.ready()) return true;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.command.off('ready', on);
        resolve(false);
      }, ms);
      t.unref();
      const on = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.command.once('ready', on);
    });
  }

  /** Called on every reconnect (not the first connect). */
  onReconnect(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  subscriber(): Redis {
    const c = createRedis(this.url, 'subscriber', this.logger);
    c.connect().catch(() => {});
    this.extra.push(c);
    return c;
  }

  /** A connection for a BullMQ Worker (or QueueEvents): blocking commands, retried forever. */
  worker(): Redis {
    const c = createRedis(this.url, 'worker', this.logger);
    this.extra.push(c);
    return c;
  }

  async close(): Promise<void> {
    this.readyListeners = [];
    for (const c of [...this.extra, this.command]) {
      try {
        if (c.status === 'ready') await c.quit();
        else c.disconnect();
      } catch {
        c.disconnect();
      }
    }
  }
}

// Kept importable from here for the Redis-side modules; it lives in timeout.ts so that importing it does not load ioredis.
export { withTimeout } from './timeout.js';

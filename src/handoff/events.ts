import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import type { RedisConnections } from '../platform/redis.js';

export type Unsubscribe = () => Promise<void>;
export type EventHandler = (event: unknown) => void;

/**
 * Events between citizens and staff: a topic per conversation (`conv:<id>`), one for staff
 * (`staff`), one for channel adapters (`outbound`). Over Redis pub/sub every instance hears every
 * other; in memory, one process. Delivery is best effort: the database holds every message, and
 * clients catch up with `?after=` / `Last-Event-ID`.
 */
export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(topic: string, event: unknown): Promise<void>;
  /** Resolves once the subscription is live, so a publish after it is heard. */
  subscribe(topic: string, handler: EventHandler): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export const topics = {
  conversation: (conversationId: string) => `conv:${conversationId}`,
  staff: 'staff',
  outbound: 'outbound',
};

class Handlers {
  private readonly map = new Map<string, Set<EventHandler>>();
  constructor(private readonly logger?: Logger) {}

  /** Adds a handler; true when it is the topic's first. */
  add(topic: string, h: EventHandler): boolean {
    let set = this.map.get(topic);
    const first = !set;
    if (!set) this.map.set(topic, (set = new Set()));
    set.add(h);
    return first;
  }

  /** Removes a handler; true when the topic has none left. */
  remove(topic: string, h: EventHandler): boolean {
    const set = this.map.get(topic);
    if (!set) return false;
    set.delete(h);
    if (set.size) return false;
    this.map.delete(topic);
    return true;
  }

  dispatch(topic: string, event: unknown): void {
    for (const h of this.map.get(topic) ?? []) {
      try {
        h(event);
      } catch (e) {
        this.logger?.error({ err: e, topic }, 'event handler failed');
      }
    }
  }

  topics(): string[] {
    return [...this.map.keys()];
  }

  clear(): void {
    this.map.clear();
  }
}

export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  private readonly handlers: Handlers;
  constructor(logger?: Logger) {
    this.handlers = new Handlers(logger);
  }

  async publish(topic: string, event: unknown): Promise<void> {
    // A copy, delivered after the publisher's turn: the same isolation and ordering as Redis.
    const copy = structuredClone(event);
    queueMicrotask(() => this.handlers.dispatch(topic, copy));
  }

  async subscribe(topic: string, handler: EventHandler): Promise<Unsubscribe> {
    this.handlers.add(topic, handler);
    return async () => {
      this.handlers.remove(topic, handler);
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}

/**
 * Redis pub/sub: one subscriber connection per process, subscribed to the topics someone here
 * listens to (SUBSCRIBE on the first handler, UNSUBSCRIBE after the last). ioredis subscribes
 * again by itself after a reconnect.
 */
export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly handlers: Handlers;
  private sub: Redis | null = null;
  private readonly live = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly logger: Logger,
  ) {
    this.handlers = new Handlers(logger);
  }

  private channel(topic: string) {
    return `${this.redis.prefix}:events:${topic}`;
  }

  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = this.redis.subscriber();
      const head = `${this.redis.prefix}:events:`;
      this.sub.on('message', (channel: string, message: string) => {
        if (!channel.startsWith(head)) return;
        let event: unknown;
        try {
          event = JSON.parse(message);
        } catch {
          this.logger.warn({ channel }, 'unreadable event ignored');
          return;
        }
        this.handlers.dispatch(channel.slice(head.length), event);
      });
    }
    return this.sub;
  }

  async publish(topic: string, event: unknown): Promise<void> {
    await this.redis.command.publish(this.channel(topic), JSON.stringify(event));
  }

  async subscribe(topic: string, handler: EventHandler): Promise<Unsubscribe> {
    const sub = this.subscriber();
    if (this.handlers.add(topic, handler)) {
      const p = sub.subscribe(this.channel(topic)).then(() => undefined);
      this.live.set(topic, p);
      try {
        await p;
      } catch (e) {
        this.handlers.remove(topic, handler);
        throw e;
      } finally {
        if (this.live.get(topic) === p) this.live.delete(topic);
      }
    } else {
      // Another handler's SUBSCRIBE may still be on its way: live only once it is acknowledged.
      await this.live.get(topic);
    }
    return async () => {
      if (this.handlers.remove(topic, handler)) await sub.unsubscribe(this.channel(topic)).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    if (this.sub) this.sub.disconnect();
    this.sub = null;
  }
}

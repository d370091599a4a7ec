import type { Redis } from 'ioredis';

/**
 * WeChat retries a message three times when no answer comes within 5 seconds, with the same
 * MsgId (events: the same sender and CreateTime). The first delivery claims the id; a retry finds
 * what became of it: still being answered, answered (the same reply is sent again), or deferred
 * to a customer-service message (answered "success").
 */
export type MsgState = { state: 'pending' } | { state: 'replied'; body: string } | { state: 'deferred' };

export interface MsgDedupe {
  readonly kind: 'memory' | 'redis';
  /** Null when this caller is the first (and must answer it); otherwise what is known. */
  claim(key: string): Promise<MsgState | null>;
  set(key: string, state: MsgState): Promise<void>;
  get(key: string): Promise<MsgState | null>;
}

/** Long enough for WeChat's retries (about 15 s) and for a replay of a signed request within the timestamp window. */
export const DEDUPE_TTL_MS = 15 * 60_000;

export class MemoryMsgDedupe implements MsgDedupe {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, { state: MsgState; at: number }>();

  constructor(
    private readonly ttlMs = DEDUPE_TTL_MS,
    private readonly max = 100_000,
  ) {}

  private sweep(now: number) {
    // Insertion order is age order: drop from the front while expired or over the bound.
    for (const [k, v] of this.map) {
      if (now - v.at <= this.ttlMs && this.map.size <= this.max) break;
      this.map.delete(k);
    }
  }

  async claim(key: string): Promise<MsgState | null> {
    const now = Date.now();
    this.sweep(now);
    const hit = this.map.get(key);
    if (hit && now - hit.at <= this.ttlMs) return hit.state;
    this.map.set(key, { state: { state: 'pending' }, at: now });
    return null;
  }

  async set(key: string, state: MsgState): Promise<void> {
    const at = this.map.get(key)?.at ?? Date.now();
    this.map.set(key, { state, at });
  }

  async get(key: string): Promise<MsgState | null> {
    const hit = this.map.get(key);
    return hit && Date.now() - hit.at <= this.ttlMs ? hit.state : null;
  }
}

/** Shared by every instance behind the load balancer: WeChat's retry may reach another one. */
export class RedisMsgDedupe implements MsgDedupe {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = DEDUPE_TTL_MS,
  ) {}

  private key(k: string) {
    return `${this.prefix}:wechat:mp:msg:${k}`;
  }

  async claim(key: string): Promise<MsgState | null> {
    const ok = await this.redis.set(this.key(key), JSON.stringify({ state: 'pending' }), 'PX', this.ttlMs, 'NX');
    if (ok === 'OK') return null;
    return (await this.get(key)) ?? { state: 'pending' };
  }

  async set(key: string, state: MsgState): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify(state), 'PX', this.ttlMs);
  }

  async get(key: string): Promise<MsgState | null> {
    const raw = await this.redis.get(this.key(key));
    return raw ? (JSON.parse(raw) as MsgState) : null;
  }
}

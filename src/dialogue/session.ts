import type { Redis } from 'ioredis';
import type { AspectKey } from '../kb/aspects.js';
import { randomPart } from '../records/ids.js';

/** What the dialogue remembers between messages of one conversation. */
export interface SessionState {
  id: string;
  channel: string;
  createdAt: number;
  updatedAt: number;
  /** The guide the conversation is about, for follow-ups. */
  guideId: string | null;
  aspect: AspectKey | null;
  /** Consecutive no_answer replies (two in a row: offer a person). */
  noAnswerStreak: number;
  /** Set when the bot has offered a person and awaits a yes/no. */
  handoffOffered: boolean;
  /** Suggestions of the last reply, so a channel can accept "1", "2", "3". */
  lastSuggestions: string[];
  /** Form being filled, if any. */
  formDraftId: string | null;
  /** The form field the last question asked for (src/forms). */
  formAsking?: string | null;
  /** A progress query waiting for its case number or phone digits (src/progress). */
  progress?: { caseNo: string | null; misses: number; pending: boolean } | null;
  /** Recent citizen questions, newest last (for the handoff summary). */
  recent: string[];
  /** Whether the citizen has been asked for a rating. */
  ratingRequested: boolean;
  /** Abusive messages since the last offer of a person (src/safety). */
  abuseCount?: number;
}

/** Unguessable session ids: 144 random bits, URL-safe. They are bearer secrets for the citizen. */
export function newSessionId(): string {
  return randomPart(18).toString('base64url');
}

/** Ids a client may bring: long and plain enough not to be a guessable or hostile value. */
export function acceptableSessionId(id: string): boolean {
  return /^[A-Za-z0-9_-]{16,128}$/.test(id);
}

export function newSession(id: string, channel: string): SessionState {
  const now = Date.now();
  return {
    id,
    channel,
    createdAt: now,
    updatedAt: now,
    guideId: null,
    aspect: null,
    noAnswerStreak: 0,
    handoffOffered: false,
    lastSuggestions: [],
    formDraftId: null,
    recent: [],
    ratingRequested: false,
  };
}

export interface SessionStore {
  get(id: string): Promise<SessionState | null>;
  save(state: SessionState): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Sessions in process memory, least recently used dropped beyond `max`, expired after `ttlMs`.
 * Kept as JSON, as Redis keeps them: a caller's later changes do not reach the stored copy, a
 * session reads back the same from either store, and the copy costs less than structuredClone.
 */
export class MemorySessionStore implements SessionStore {
  private readonly map = new Map<string, { updatedAt: number; json: string }>();

  constructor(
    private readonly max = 100_000,
    private readonly ttlMs = 7 * 24 * 3600_000,
  ) {}

  async get(id: string): Promise<SessionState | null> {
    const s = this.map.get(id);
    if (!s) return null;
    if (Date.now() - s.updatedAt > this.ttlMs) {
      this.map.delete(id);
      return null;
    }
    this.map.delete(id);
    this.map.set(id, s);
    return JSON.parse(s.json) as SessionState;
  }

  async save(state: SessionState): Promise<void> {
    this.map.delete(state.id);
    this.map.set(state.id, { updatedAt: state.updatedAt, json: JSON.stringify(state) });
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** Sessions in Redis, shared by every API instance, expiring after `ttlSeconds` idle. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  private key(id: string) {
    return `${this.prefix}:session:${id}`;
  }

  async get(id: string): Promise<SessionState | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as SessionState) : null;
  }

  async save(state: SessionState): Promise<void> {
    await this.redis.set(this.key(state.id), JSON.stringify(state), 'EX', this.ttlSeconds);
  }
}

/**
 * A shared (Redis) session store that never stops the dialogue: when Redis is away, `get` answers
 * null (the engine then reads the state saved with the conversation record) and `save` is skipped
 * (the record keeps it). Answering questions keeps working through a Redis outage.
 */
export class ResilientSessionStore implements SessionStore {
  private warned = false;

  constructor(
    private readonly inner: SessionStore,
    private readonly onError: (err: unknown, op: 'get' | 'save') => void = () => {},
  ) {}

  private fail(err: unknown, op: 'get' | 'save') {
    if (!this.warned) this.onError(err, op);
    this.warned = true;
  }

  async get(id: string): Promise<SessionState | null> {
    try {
      const s = await this.inner.get(id);
      this.warned = false;
      return s;
    } catch (err) {
      this.fail(err, 'get');
      return null;
    }
  }

  async save(state: SessionState): Promise<void> {
    try {
      await this.inner.save(state);
      this.warned = false;
    } catch (err) {
      this.fail(err, 'save');
    }
  }
}

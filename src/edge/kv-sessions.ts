import type { SessionState, SessionStore } from '../dialogue/session.js';
import { sessionKey } from '../records/ids.js';
import type { KVNamespace } from './workers.js';

/**
 * Dialogue sessions in Workers KV, expiring after `ttlSeconds` idle like the Redis store. Keys are
 * the session id's hash, so a KV listing never shows the citizen's bearer secret. KV is eventually
 * consistent across locations; a citizen's follow-ups reach the same location, where a write is
 * read back at once.
 */
export class KvSessionStore implements SessionStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  static key(id: string): string {
    return `session:${sessionKey(id)}`;
  }

  async get(id: string): Promise<SessionState | null> {
    const raw = await this.kv.get(KvSessionStore.key(id));
    return raw ? (JSON.parse(raw) as SessionState) : null;
  }

  async save(state: SessionState): Promise<void> {
    // KV's smallest expiration is 60 s.
    await this.kv.put(KvSessionStore.key(state.id), JSON.stringify(state), { expirationTtl: Math.max(60, this.ttlSeconds) });
  }
}

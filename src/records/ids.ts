import { createHash, randomFillSync } from 'node:crypto';
import type { Conversation } from './schema.js';

// Random bytes drawn from the system a few kB at a time: a call per id cost more than the rest of making it.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `n` cryptographically random bytes (each handed out once). */
export function randomPart(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

/** Time-ordered, unguessable ids: "<prefix>_<time base36><random>". */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomPart(8).toString('base64url')}`;
}

/** The key a session id is stored under: its hash, so the database never holds the secret. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

/** A new conversation under a session key, as the bot first holds it (the SQL records and the edge's KV alike). */
export function newConversation(key: string, channel: string, contact: string | null | undefined, now = Date.now()): Conversation {
  return {
    id: newId('c'),
    session_key: key,
    channel,
    status: 'bot',
    department: null,
    guide_id: null,
    state: null,
    contact: contact ?? null,
    assigned_to: null,
    created_at: now,
    updated_at: now,
    closed_at: null,
  };
}

import { createHash, randomBytes } from 'node:crypto';

/** Time-ordered, unguessable ids: "<prefix>_<time base36><random>". */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('base64url')}`;
}

/** The key a session id is stored under: its hash, so the database never holds the secret. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

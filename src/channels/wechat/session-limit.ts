import { AppError } from '../../platform/errors.js';

/** A session's per-minute message limit (RequestLimits.perSession): throws a 429 AppError when over. */
export type SessionLimit = (sessionId: string) => Promise<void>;

/**
 * Whether a WeChat session is over its per-minute message limit. WeChat's channels cannot answer
 * 429 (the Official Account's servers would retry, then tell the citizen the account is broken),
 * so they say so in the chat instead; the limiter falls back to memory when Redis is away.
 */
export async function overLimit(limit: SessionLimit | undefined, sessionId: string): Promise<boolean> {
  if (!limit) return false;
  try {
    await limit(sessionId);
    return false;
  } catch (e) {
    if (e instanceof AppError && e.status === 429) return true;
    throw e;
  }
}

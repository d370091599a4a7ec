import { maskPII } from './pii.js';

/** Keys whose values are secrets, compared in lower case without `_` or `-` (apiKey, api_key, API-KEY). */
const SECRET_KEYS = new Set(['password', 'passwd', 'token', 'accesstoken', 'refreshtoken', 'secret', 'clientsecret', 'authorization', 'cookie', 'setcookie', 'apikey', 'aeskey']);

export const REDACTED = '[redacted]';

const isSecretKey = (key: string) => SECRET_KEYS.has(key.replace(/[-_]/g, '').toLowerCase());

/**
 * A log entry's fields as they may be written: a secret's value (its key at any depth) replaced by
 * "[redacted]", every string passed through the PII mask. One walk that both loggers share — the
 * origin's pino (formatters) and the edge's — in place of pino's path-based `redact`, which
 * cloned and serialised every entry a second time (in a profile of the chat route, a seventh of
 * what the server allocated). An error is turned into fields by `error` (then cleaned as the rest),
 * or left as it is for pino's err serializer.
 */
export function logFields<T>(value: T, error?: (e: Error) => unknown, depth = 0): T {
  if (typeof value === 'string') return maskPII(value) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  // Deeper than any entry we write: not walked, so not written (it could hold anything).
  if (depth > 8) return '[nested too deep]' as T;
  if (value instanceof Error) return (error ? logFields(error(value), undefined, depth + 1) : value) as T;
  if (Array.isArray(value)) return value.map((v) => logFields(v, error, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    out[key] = isSecretKey(key) && v !== undefined && v !== null ? REDACTED : logFields(v, error, depth + 1);
  }
  return out as T;
}

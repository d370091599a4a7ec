import { pino, type Logger } from 'pino';
import { maskDeep, maskPII } from '../platform/pii.js';

const SECRET_KEYS = new Set(['password', 'token', 'secret', 'authorization', 'cookie', 'apikey']);

function clean(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (value instanceof Error) return { type: value.name, message: maskPII(value.message), stack: value.stack ? maskPII(value.stack) : undefined };
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : clean(v, depth + 1);
    return out;
  }
  return value;
}

/**
 * The worker's logger: pino's browser build (the one that runs in workerd) writing one JSON line
 * per entry to console.log, which Workers Logs collects. Like the origin's logger, secrets are
 * redacted and every string is passed through the PII mask.
 */
export function createEdgeLogger(level = 'info'): Logger {
  return pino({
    name: 'govchat-edge',
    level,
    browser: {
      asObject: true,
      write: (o: object) => console.log(JSON.stringify(maskDeep(clean(o)))),
    },
  });
}

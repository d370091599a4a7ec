import { pino, type Logger } from 'pino';
import { logFields } from '../platform/log-fields.js';

const serializeError = (e: Error) => ({ type: e.name, message: e.message, stack: e.stack });

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
      write: (o: object) => console.log(JSON.stringify(logFields(o, serializeError))),
    },
  });
}

import { pino, type Logger, type DestinationStream } from 'pino';
import { maskDeep, maskPII } from './pii.js';

export type { Logger };

/** Field names whose values are secrets: never written, whatever the level. */
const SECRET_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'apiKey',
  '*.apiKey',
];

/**
 * Structured JSON logs (pino). Every string that reaches a log line is passed through the PII
 * mask, so an ID number or phone a citizen typed never lands in a log in the clear.
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'govchat',
      level: opts.level ?? 'info',
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
      formatters: {
        log: (obj) => maskDeep(obj),
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPII(a) : a)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const e = pino.stdSerializers.err(err as Error);
          return { ...e, message: maskPII(e.message ?? ''), stack: e.stack ? maskPII(e.stack) : undefined };
        },
      },
    },
    opts.destination,
  );
}

/** A logger that writes nothing; for tests and tools that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });

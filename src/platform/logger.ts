import { pino, type Logger, type DestinationStream } from 'pino';
import { logFields } from './log-fields.js';
import { maskPII } from './pii.js';

export type { Logger };

/**
 * Structured JSON logs (pino). Every string that reaches a log line is passed through the PII
 * mask, so an ID number or phone a citizen typed never lands in a log in the clear, and a
 * secret's value (password, token, authorization, cookie, API key: its key at any depth, in the
 * entry or a child's bindings) is written as "[redacted]" (log-fields.ts).
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream; name?: string } = {}): Logger {
  const logger = pino(
    {
      name: opts.name ?? 'govchat',
      level: opts.level ?? 'info',
      formatters: {
        log: (obj) => logFields(obj),
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
    // Written asynchronously (sonic-boom on libuv's pool): the event loop hands a line over instead of
    // making a write(2) of its own for each, and lines logged meanwhile go out in one write. pino
    // flushes what is left when the process exits.
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
  // A child's bindings (a request id taken from a header, say) are cleaned too: pino's bindings
  // formatter would see only the root's. Children are made from their parent, so they inherit this child().
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, logFields(bindings), options);
  } as Logger['child'];
  return logger;
}

/** A logger that writes nothing; for tests and tools that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });

import type { Server } from 'node:http';
import type { Logger } from './logger.js';

export interface ShutdownOptions {
  server: Pick<Server, 'close' | 'closeIdleConnections'>;
  logger: Logger;
  timeoutMs: number;
  /** Readiness goes to 503 so a load balancer stops sending new requests here. */
  drain: () => void;
  /** Ends long-lived event streams (after telling clients to reconnect elsewhere). */
  endStreams: () => void;
  /** Closes queues, workers, Redis and the database once the last request is answered. */
  closeServices: () => Promise<void>;
  exit: (code: number) => void;
}

/**
 * Graceful shutdown on SIGTERM: stop accepting connections, let in-flight requests (a chat reply
 * being streamed included) finish, end event streams with a reconnect hint, then close the
 * services (workers finish their jobs); exit 0, or 1 if it takes longer than SHUTDOWN_TIMEOUT_MS.
 */
export function gracefulShutdown(o: ShutdownOptions): (signal: string) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    o.logger.info({ signal, timeoutMs: o.timeoutMs }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      o.logger.warn({ timeoutMs: o.timeoutMs }, 'shutdown timed out; exiting');
      o.exit(1);
    }, o.timeoutMs);
    timer.unref();
    o.drain();
    o.endStreams();
    // Keep-alive connections with no request in flight would hold close() open until their
    // keep-alive timeout; a connection whose last response has just ended becomes idle later.
    const idle = setInterval(() => o.server.closeIdleConnections(), 100);
    idle.unref();
    o.server.close(() => {
      clearInterval(idle);
      o.closeServices()
        .then(
          () => o.logger.info({ ms: Math.round(performance.now() - started) }, 'shut down'),
          (err: unknown) => o.logger.warn({ err }, 'closing services failed'),
        )
        .finally(() => {
          clearTimeout(timer);
          o.exit(0);
        });
    });
    o.server.closeIdleConnections();
  };
}

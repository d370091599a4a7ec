import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from './logger.js';
import { gracefulShutdown } from './shutdown.js';

/** A server whose close() completes only when the test says the last request is done. */
function fakeServer() {
  const calls: string[] = [];
  let onClosed: (() => void) | null = null;
  const server = {
    close(cb?: (err?: Error) => void) {
      calls.push('close');
      onClosed = () => cb?.();
      return server as never;
    },
    closeIdleConnections() {
      calls.push('closeIdle');
    },
  };
  return { calls, server, drained: () => onClosed?.() };
}

describe('graceful shutdown', () => {
  it('drains, ends streams, stops accepting, then closes the services and exits 0 once in-flight work is done', async () => {
    const f = fakeServer();
    const exit = vi.fn();
    let servicesClosed = false;
    const stop = gracefulShutdown({
      server: f.server,
      logger: silentLogger,
      timeoutMs: 10_000,
      drain: () => f.calls.push('drain'),
      endStreams: () => f.calls.push('endStreams'),
      closeServices: async () => {
        f.calls.push('closeServices');
        servicesClosed = true;
      },
      exit,
    });
    stop('SIGTERM');
    stop('SIGTERM'); // a second signal changes nothing
    expect(f.calls.slice(0, 4)).toEqual(['drain', 'endStreams', 'close', 'closeIdle']);
    expect(servicesClosed).toBe(false); // requests still in flight: the services stay open
    f.drained();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    // Idle connections are closed again and again until the server has closed, then the services.
    expect(f.calls.filter((c, i, all) => c !== all[i - 1])).toEqual(['drain', 'endStreams', 'close', 'closeIdle', 'closeServices']);
  });

  it('exits 1 when in-flight work outlasts SHUTDOWN_TIMEOUT_MS', () => {
    vi.useFakeTimers();
    try {
      const f = fakeServer();
        const exit = vi.fn();
      gracefulShutdown({ server: f.server, logger: silentLogger, timeoutMs: 5000, drain() {}, endStreams() {}, closeServices: async () => {}, exit })('SIGTERM');
      vi.advanceTimersByTime(4999);
      expect(exit).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

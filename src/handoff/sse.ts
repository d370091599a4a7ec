import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { withTimeout } from '../platform/timeout.js';
import type { Unsubscribe } from './events.js';

/** Reconnect delay sent to clients when the server shuts down. */
export const RECONNECT_MS = 1000;

export interface SSEMessage {
  event: string;
  data: string;
  id?: string;
}

export interface EventStreamOptions {
  /** Subscribes `push` to the events of this stream; resolves once live. */
  subscribe: (push: (m: SSEMessage) => void) => Promise<Unsubscribe>;
  /** Sent first after "ready": what the client missed (by Last-Event-ID / ?after=) and the current state. */
  backlog?: () => Promise<SSEMessage[]>;
  /** Data of the first event, "ready", sent once the subscription is live. */
  ready: unknown;
  heartbeatMs: number;
  /** The server is shutting down: end the stream. */
  closing: AbortSignal;
}

/**
 * A server-sent event stream over a subscription: subscribe first, then send the backlog, so
 * nothing published in between is lost (events carrying an id are sent once). A comment line
 * every `heartbeatMs` keeps proxies from closing an idle stream.
 */
export function eventStream(c: Context, o: EventStreamOptions): Response {
  c.header('Cache-Control', 'no-cache, no-transform');
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    let chain: Promise<void> = Promise.resolve();
    const write = (fn: () => Promise<void>) => {
      chain = chain.then(fn).catch(() => {});
    };
    const seen = new Set<string>();
    let buffered: SSEMessage[] | null = [];
    const emit = (m: SSEMessage) => {
      if (m.id) {
        if (seen.has(m.id)) return;
        seen.add(m.id);
        if (seen.size > 5000) seen.delete(seen.values().next().value!);
      }
      write(() => stream.writeSSE(m));
    };
    const push = (m: SSEMessage) => (buffered ? buffered.push(m) : emit(m));

    let finished = false;
    let unsubscribe: Unsubscribe = async () => {};
    const ended = new Promise<void>((resolve) => {
      stream.onAbort(() => resolve());
      if (o.closing.aborted) resolve();
      o.closing.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      // A subscription that cannot be made at once (Redis away) completes when Redis is back;
      // one that completes after the stream ended is undone at once.
      const sub = o.subscribe(push).then((u) => {
        if (finished) void u().catch(() => {});
        else unsubscribe = u;
      });
      await withTimeout(sub, 3000, 'subscribe').catch(() => {});
      const backlog = o.backlog ? await o.backlog() : [];
      write(() => stream.writeSSE({ event: 'ready', data: JSON.stringify(o.ready) }));
      for (const m of backlog) emit(m);
      const held = buffered ?? [];
      buffered = null;
      for (const m of held) emit(m);
      const beat = setInterval(() => write(async () => void (await stream.write(': ping\n\n'))), o.heartbeatMs);
      await ended;
      clearInterval(beat);
      // Shutting down: the client is told to reconnect soon (to another instance behind the load balancer).
      if (o.closing.aborted) write(() => stream.writeSSE({ event: 'shutdown', data: JSON.stringify({ reconnect: true, retryMs: RECONNECT_MS }), retry: RECONNECT_MS }));
    } finally {
      finished = true;
      await unsubscribe().catch(() => {});
      await chain;
    }
  });
}

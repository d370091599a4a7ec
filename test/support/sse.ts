/** A server-sent events client for tests: reads a real HTTP stream and waits for events. */
export interface SSEEvent {
  event: string;
  data: string;
  id?: string;
  /** performance.now() when the event arrived. */
  at: number;
}

export interface SSEClient {
  events: SSEEvent[];
  /** The next event (after those already taken) matching `pred`, or throws after `timeoutMs`. */
  next(pred?: (e: SSEEvent) => boolean, timeoutMs?: number): Promise<SSEEvent>;
  json<T = unknown>(pred?: (e: SSEEvent) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
  status: number;
}

export async function openSSE(url: string, headers: Record<string, string> = {}): Promise<SSEClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: SSEEvent[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  if (res.ok && res.body) {
    (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const e: SSEEvent = { event: 'message', data: '', at: performance.now() };
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const [k, ...rest] = line.split(':');
              const v = rest.join(':').replace(/^ /, '');
              if (k === 'event') e.event = v;
              else if (k === 'data') data.push(v);
              else if (k === 'id') e.id = v;
            }
            if (!data.length && e.event === 'message') continue;
            e.data = data.join('\n');
            events.push(e);
            wake();
          }
        }
      } catch {
        /* aborted */
      }
      wake();
    })();
  }
  const client: SSEClient = {
    events,
    status: res.status,
    async next(pred = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (let i = taken; i < events.length; i++) {
          if (pred(events[i])) {
            taken = i + 1;
            return events[i];
          }
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching SSE event within ${timeoutMs} ms; got: ${events.slice(taken).map((e) => `${e.event} ${e.data.slice(0, 80)}`).join(' | ')}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    async json<T>(pred?: (e: SSEEvent) => boolean, timeoutMs?: number) {
      return JSON.parse((await client.next(pred, timeoutMs)).data) as T;
    },
    close: () => ac.abort(),
  };
  return client;
}

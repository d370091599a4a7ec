/** The staff event stream (SSE): one EventSource for the whole console, fanned out to the views. */
export interface QueueEvent {
  type: 'queue';
  action: 'added' | 'removed' | 'claimed' | 'transferred' | 'escalated' | 'cancelled' | 'closed' | 'left_message';
  conversationId: string;
  department: string;
  by?: string | null;
  to?: string;
  from?: string;
}
export interface MessageEvent_ {
  type: 'message';
  conversationId: string;
  department: string;
  assignedTo: string | null;
  message: TranscriptMessage;
}

export interface TranscriptMessage {
  id: string;
  role: 'citizen' | 'bot' | 'staff' | 'system';
  type: string | null;
  text: string;
  author: string | null;
  createdAt: number;
  citations?: { guideId: string; title: string; section: string | null; url: string }[];
  evidence?: unknown;
  intent?: string | null;
  form?: unknown;
}

type Listener = { queue?: (e: QueueEvent) => void; message?: (e: MessageEvent_) => void; status?: (live: boolean) => void };

export class StaffEvents {
  private readonly listeners = new Set<Listener>();
  private source: EventSource | null = null;
  live = false;

  start(): void {
    const es = new EventSource('/api/staff/events', { withCredentials: true });
    this.source = es;
    es.addEventListener('ready', () => this.setLive(true));
    es.addEventListener('queue', (e) => this.each((l) => l.queue?.(JSON.parse((e as MessageEvent).data) as QueueEvent)));
    es.addEventListener('message', (e) => this.each((l) => l.message?.(JSON.parse((e as MessageEvent).data) as MessageEvent_)));
    // EventSource reconnects by itself; the views reload what they show when it is back.
    es.addEventListener('error', () => this.setLive(false));
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private setLive(v: boolean): void {
    if (this.live === v) return;
    this.live = v;
    this.each((l) => l.status?.(v));
  }

  private each(fn: (l: Listener) => void): void {
    for (const l of this.listeners) {
      try {
        fn(l);
      } catch (e) {
        console.error(e);
      }
    }
  }
}

import type { Api } from './api.js';
import { append, clear, h } from './dom.js';
import type { Strings } from './i18n.js';
import type { HandoffView, SessionMessage } from './types.js';

export interface HandoffDeps {
  t: Strings;
  api: Api;
  session(): string | null;
  /** The newest server message id shown, so the stream sends only what came after. */
  lastMessageId(): string | null;
  onMessage(m: SessionMessage): void;
  onStatus(view: HandoffView | null, previous: HandoffView | null): void;
  announce(text: string): void;
  /** Fetches and shows the server's messages since the last one shown; false if it could not. */
  refresh(): Promise<boolean>;
  /** Where focus goes when the button it was on goes away (取消排队 pressed). */
  refocus(): void;
}

/**
 * 转人工 as the citizen sees it: a bar saying "正在为您转接人工", the place in the queue and the
 * wait, or that a member of staff is there; staff messages as they arrive over
 * GET /api/sessions/:id/events (EventSource: the session id is in the path, as the handoff
 * routes expect, since EventSource cannot send headers). On "closed" the stream stops and the
 * widget asks for a 好差评 rating. EventSource reconnects by itself after network drops, sending
 * Last-Event-ID; after an HTTP error it stops, so we retry with a growing pause.
 */
export class HandoffController {
  readonly bar: HTMLElement;
  private view: HandoffView | null = null;
  private source: EventSource | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;

  constructor(private readonly d: HandoffDeps) {
    this.bar = h('div', { class: 'handoff', role: 'status', hidden: true });
  }

  get current(): HandoffView | null {
    return this.view;
  }

  update(view: HandoffView | null): void {
    const previous = this.view;
    this.view = view && (view.status === 'waiting' || view.status === 'staff' || view.status === 'closed') ? view : null;
    this.render();
    const active = this.view && this.view.status !== 'closed';
    if (active) this.connect();
    else this.stop();
    if (!sameView(previous, this.view)) this.d.onStatus(this.view, previous);
  }

  private render(): void {
    const { t } = this.d;
    const v = this.view;
    clear(this.bar);
    if (!v || v.status === 'closed') {
      this.bar.hidden = true;
      return;
    }
    this.bar.hidden = false;
    if (v.status === 'staff') {
      append(this.bar, h('strong', {}, t.withStaff));
      return;
    }
    const parts: string[] = [];
    if (v.leftMessage) parts.push(t.leftMessage);
    else {
      if (v.position !== null && v.position !== undefined) parts.push(v.position <= 1 ? t.firstInLine : t.position(v.position - 1));
      if (v.etaSeconds !== null && v.etaSeconds !== undefined) parts.push(t.eta(Math.max(1, Math.round(v.etaSeconds / 60))));
    }
    const cancel = h('button', { type: 'button', class: 'tool' }, t.cancelQueue);
    cancel.addEventListener('click', () => void this.cancel());
    append(this.bar, h('strong', {}, t.transferring + (v.department ? t.department(v.department) : '')), parts.length ? h('span', {}, parts.join('，')) : null, cancel);
  }

  private async cancel(): Promise<void> {
    const session = this.d.session();
    if (!session) return;
    const hadFocus = this.bar.contains((this.bar.getRootNode() as ShadowRoot).activeElement);
    try {
      const r = await this.d.api.cancelHandoff(session);
      this.update(r.handoff);
      if (hadFocus) this.d.refocus();
      // The server stored its notice and may already have sent it over the events stream: show
      // the stored one (by its id, so once); only if it cannot be fetched, the text answered.
      if (r.text && !(await this.d.refresh())) this.d.onMessage({ id: `local-cancel-${Date.now()}`, role: 'system', type: 'handoff', text: r.text, author: null });
    } catch (e) {
      this.d.announce(e instanceof Error && e.message !== 'network' ? e.message : this.d.t.networkError);
    }
  }

  private connect(): void {
    const session = this.d.session();
    if (this.source || this.retry || !session || typeof EventSource === 'undefined') return;
    const es = new EventSource(this.d.api.eventsUrl(session, this.d.lastMessageId()));
    this.source = es;
    es.addEventListener('ready', () => {
      this.failures = 0;
    });
    es.addEventListener('message', (e) => {
      const m = parse<SessionMessage>((e as MessageEvent).data);
      if (m && typeof m.id === 'string' && typeof m.text === 'string') this.d.onMessage(m);
    });
    es.addEventListener('handoff', (e) => {
      const v = parse<HandoffView | null>((e as MessageEvent).data);
      if (v !== undefined) this.update(v);
    });
    es.addEventListener('error', () => {
      if (es.readyState !== EventSource.CLOSED) return; // reconnecting by itself
      this.source = null;
      this.failures += 1;
      const wait = Math.min(60_000, 3000 * 2 ** Math.min(this.failures, 5));
      this.retry = setTimeout(() => {
        this.retry = null;
        if (this.view && this.view.status !== 'closed') this.connect();
      }, wait);
    });
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }
}

function parse<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}

function sameView(a: HandoffView | null, b: HandoffView | null): boolean {
  return (a?.status ?? null) === (b?.status ?? null) && (a?.position ?? null) === (b?.position ?? null) && (a?.department ?? null) === (b?.department ?? null);
}

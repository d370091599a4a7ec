import { Api, ApiError } from './api.js';
import { append, chatIcon, clear, h, srOnly } from './dom.js';
import { FormCard } from './form.js';
import { HandoffController } from './handoff.js';
import { strings, type Strings } from './i18n.js';
import { RatingCard, type Rated } from './rating.js';
import { renderBlocks, renderCitations, renderSuggestions } from './render.js';
import { WidgetStorage } from './storage.js';
import { CSS } from './styles.js';
import { replyBlocks, textToBlocks } from './text-blocks.js';
import type { Reply, SessionMessage } from './types.js';

export interface WidgetOptions {
  /** The origin widget.js was loaded from: the only server the widget talks to. */
  origin: string;
  title: string;
  lang?: string | null;
  position?: 'left' | 'right';
}

/** What is kept of the conversation in sessionStorage (see storage.ts). */
type Entry = { k: 'c'; text: string } | { k: 'r'; reply: Reply } | { k: 'm'; m: SessionMessage } | ({ k: 'rated'; forId: string } & Rated);

interface Streaming {
  li: HTMLElement;
  /** The question this answers, kept in view. */
  anchor: HTMLElement | null;
  append(text: string, provisional: boolean): void;
  replace(text: string): void;
}

/**
 * The citizen chat widget: a floating button that opens the conversation panel, everything in
 * a shadow root (open, so tests and assistive tools can see in; a closed root protects nothing
 * from a page that runs scripts before ours, since it can patch attachShadow).
 */
export class ChatWidget {
  private readonly t: Strings;
  private readonly api: Api;
  private readonly store: WidgetStorage;
  private readonly root: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly elderSwitch: HTMLButtonElement;
  private readonly live: HTMLElement;
  private readonly handoff: HandoffController;
  private entries: Entry[] = [];
  private readonly shown = new Set<string>();
  private readonly forms = new Map<string, FormCard>();
  private readonly rated = new Map<string, Rated>();
  private lastId: string | null = null;
  private suggestions: HTMLElement | null = null;
  private busy = false;
  private unread = 0;
  /** The last pointer was a finger: do not pop up the on-screen keyboard by moving focus. */
  private touch = false;
  private restoring: Promise<void>;

  constructor(
    host: HTMLElement,
    private readonly o: WidgetOptions,
  ) {
    const { t, lang } = strings(o.lang);
    this.t = t;
    this.api = new Api(o.origin);
    this.store = new WidgetStorage(o.origin);
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.appendChild(h('style', {}, CSS));

    this.badge = h('span', { class: 'badge', hidden: true });
    this.launcher = h('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'gc-panel' }, chatIcon(), h('span', {}, t.launcher), this.badge);
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open(true) : this.close()));

    this.elderSwitch = h('button', { type: 'button', class: 'tool', role: 'switch', 'aria-checked': 'false' }, t.elder);
    this.elderSwitch.addEventListener('click', () => this.setElder(!this.store.elder, true));
    const restart = h('button', { type: 'button', class: 'tool', 'aria-label': t.restartLabel }, t.restart);
    restart.addEventListener('click', () => this.restart());
    const close = h('button', { type: 'button', class: 'tool', 'aria-label': t.closeLabel }, t.close);
    close.addEventListener('click', () => this.close());

    this.handoff = new HandoffController({
      t,
      api: this.api,
      session: () => this.store.sessionId,
      lastMessageId: () => this.lastId,
      onMessage: (m) => this.incoming(m),
      onStatus: () => {},
      announce: (s) => this.announce(s),
      refresh: () => this.catchUp(),
      refocus: () => this.focusComposer(),
    });

    this.log = h('ol', { class: 'log', 'aria-label': t.log, tabindex: '-1' });
    this.input = h('textarea', { id: 'gc-input', rows: '2', placeholder: t.placeholder, autocomplete: 'off', enterkeyhint: 'send' });
    this.sendButton = h('button', { type: 'submit', class: 'send' }, t.send);
    const composer = h('form', { class: 'composer' }, h('label', { for: 'gc-input', class: 'sr-only' }, t.inputLabel), this.input, this.sendButton);
    composer.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send(this.input.value, true);
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter is a new line; never while an input method is composing (拼音).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        void this.send(this.input.value, true);
      }
    });
    this.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });

    this.panel = h(
      'section',
      { id: 'gc-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'gc-title', hidden: true },
      // A div, not <header>: inside the page it would count as a second banner landmark.
      h(
        'div',
        { class: 'bar' },
        h('div', { class: 'bar-row' }, h('h2', { id: 'gc-title' }, o.title), close),
        h('div', { class: 'bar-row' }, h('p', { class: 'sub' }, t.subtitle), h('div', { class: 'tools' }, this.elderSwitch, restart)),
      ),
      this.handoff.bar,
      this.log,
      composer,
      h('p', { class: 'note' }, t.note),
    );
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });

    this.root = h('div', { class: `root${o.position === 'left' ? ' left' : ''}`, lang }, this.launcher, this.panel, this.live);
    this.root.addEventListener('pointerdown', (e) => (this.touch = e.pointerType === 'touch'), true);
    shadow.appendChild(this.root);
    this.setElder(this.store.elder, false);
    this.restoring = this.restore();
    if (this.store.open) this.open(false);
  }

  // ---- panel ------------------------------------------------------------------------------

  open(focus: boolean): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.store.open = true;
    this.unread = 0;
    this.badge.hidden = true;
    this.scrollToEnd();
    if (focus) {
      // A touch opens without the on-screen keyboard covering the answer; keys go to the input.
      this.focusComposer();
    }
  }

  /** Focus for typing next; after a tap, the conversation instead (no keyboard over the answer). */
  private focusComposer(): void {
    if (this.touch) this.log.focus({ preventScroll: true });
    else this.input.focus();
  }

  close(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.store.open = false;
    this.launcher.focus();
  }

  private setElder(on: boolean, say: boolean): void {
    this.store.elder = on;
    this.root.classList.toggle('elder', on);
    this.elderSwitch.setAttribute('aria-checked', String(on));
    if (say) {
      this.announce(`${this.t.elder}${on ? '：开' : '：关'}`);
      // Larger text moves everything: bring the latest question and its answer back into view.
      const questions = this.log.querySelectorAll<HTMLElement>('.msg.citizen');
      this.scrollToEnd(questions[questions.length - 1] ?? null);
    }
  }

  private restart(): void {
    this.handoff.update(null);
    this.store.clear();
    this.store.open = true;
    this.entries = [];
    this.shown.clear();
    this.forms.clear();
    this.rated.clear();
    this.lastId = null;
    clear(this.log);
    this.welcome();
    this.announce(this.t.restart);
    this.input.focus();
  }

  /** Politely tells screen readers; re-set after a tick so the same text is read again. */
  private announce(text: string): void {
    this.live.textContent = '';
    setTimeout(() => (this.live.textContent = text.length > 600 ? `${text.slice(0, 600)}…` : text), 50);
  }

  /**
   * Follows the conversation to its end, but never past `anchor` (the question being answered):
   * a long answer is read from its beginning, not its last line.
   */
  private scrollToEnd(anchor?: HTMLElement | null): void {
    const end = this.log.scrollHeight - this.log.clientHeight;
    if (!anchor || !anchor.isConnected) {
      this.log.scrollTop = end;
      return;
    }
    const top = anchor.getBoundingClientRect().top - this.log.getBoundingClientRect().top + this.log.scrollTop - 8;
    this.log.scrollTop = Math.min(end, Math.max(0, top));
  }

  private save(): void {
    this.store.saveTranscript([...this.entries, ...[...this.rated].map(([forId, rated]): Entry => ({ k: 'rated', forId, ...rated }))]);
  }

  // ---- conversation -----------------------------------------------------------------------

  private async restore(): Promise<void> {
    const cached = this.store.transcript<Entry>();
    for (const e of cached) if (e.k === 'rated') this.rated.set(e.forId, { text: e.text, level: e.level, comment: e.comment, until: e.until });
    const session = this.store.sessionId;
    if (session) {
      try {
        const r = await this.api.messages(session);
        if (r.items.length) {
          const rich = new Map(cached.flatMap((e) => (e.k === 'r' ? [[e.reply.messageId, e.reply] as const] : [])));
          for (const m of r.items) {
            if (m.role === 'citizen') this.record({ k: 'c', text: m.text });
            else if (m.role === 'bot') this.record({ k: 'r', reply: rich.get(m.id) ?? replyOf(m, session) });
            else this.record({ k: 'm', m });
          }
          this.handoff.update(r.handoff);
          this.save();
          return;
        }
      } catch {
        // No messages route on this server (or the session is gone): this tab's copy stands in.
      }
    }
    for (const e of cached) if (e.k !== 'rated') this.record(e);
    const last = [...this.entries].reverse().find((e) => (e.k === 'r' && e.reply.handoff) || (e.k === 'm' && e.m.handoff));
    if (last) this.handoff.update(last.k === 'r' ? last.reply.handoff : last.k === 'm' ? (last.m.handoff ?? null) : null);
    if (!this.entries.length) this.welcome();
  }

  /** Shows an entry and keeps it. */
  private record(e: Entry): void {
    if (e.k === 'c') this.addCitizen(e.text);
    else if (e.k === 'r') this.showReply(this.startBot(), e.reply);
    else if (e.k === 'm') this.showMessage(e.m);
    else return;
    this.entries.push(e);
  }

  private welcome(): void {
    const li = h('li', { class: 'msg bot welcome' }, srOnly(this.t.botSaid), h('div', { class: 'bubble' }, h('p', {}, this.t.welcome(this.o.title))));
    this.log.appendChild(li);
    this.setSuggestions(li, renderSuggestions(this.t.starters, this.t.suggestions, (s) => void this.send(s, false)));
  }

  private setSuggestions(li: HTMLElement, group: HTMLElement | null): void {
    this.suggestions?.remove();
    this.suggestions = group;
    if (group) li.appendChild(group);
  }

  private addCitizen(text: string): HTMLElement {
    const li = h('li', { class: 'msg citizen' }, srOnly(this.t.youSaid), h('div', { class: 'bubble' }, text));
    this.log.appendChild(li);
    this.scrollToEnd();
    return li;
  }

  private startBot(anchor: HTMLElement | null = null): Streaming {
    const thinking = h('p', { class: 'thinking' }, this.t.thinking);
    const node = document.createTextNode('');
    const stream = h('p', { class: 'stream' }, node);
    const bubble = h('div', { class: 'bubble', lang: 'zh-CN' }, thinking);
    const li = h('li', { class: 'msg bot streaming', 'aria-busy': 'true' }, srOnly(this.t.botSaid), bubble);
    this.log.appendChild(li);
    this.scrollToEnd();
    const start = () => {
      if (thinking.parentNode) bubble.replaceChild(stream, thinking);
    };
    return {
      li,
      anchor,
      append: (text, provisional) => {
        start();
        node.appendData(text);
        stream.classList.toggle('provisional', provisional);
        this.scrollToEnd(anchor);
      },
      replace: (text) => {
        start();
        node.data = text;
        stream.classList.remove('provisional');
      },
    };
  }

  async send(raw: string, fromInput: boolean): Promise<void> {
    const text = raw.trim();
    if (!text || this.busy) return;
    this.busy = true;
    this.sendButton.setAttribute('aria-disabled', 'true');
    await this.restoring;
    if (fromInput) this.input.value = '';
    // A suggestion button goes away once used: keep the keyboard user's place.
    const root = this.root.getRootNode() as ShadowRoot;
    const hadFocus = !!this.suggestions && this.suggestions.contains(root.activeElement);
    this.suggestions?.remove();
    this.suggestions = null;
    if (hadFocus) this.focusComposer();
    const citizen = this.addCitizen(text);
    const bot = this.startBot(citizen);
    try {
      const reply = await this.api.chat(
        { message: text, sessionId: this.store.sessionId },
        {
          meta: (m) => {
            if (typeof m.sessionId === 'string') this.store.sessionId = m.sessionId;
          },
          delta: (d) => bot.append(d.text, d.provisional),
          replace: (r) => bot.replace(r.text),
        },
      );
      this.store.sessionId = reply.sessionId;
      this.entries.push({ k: 'c', text });
      this.accept(bot, reply);
    } catch (e) {
      bot.li.remove();
      const err = e instanceof ApiError ? e : new ApiError(0, 'network', 'network');
      const stored = err.code === 'interrupted' || err.status >= 500;
      if (stored) this.entries.push({ k: 'c', text });
      else {
        // Not sent: nothing is lost, the question goes back into the box.
        citizen.remove();
        if (!this.input.value) this.input.value = text;
      }
      const message = err.status === 0 ? (err.code === 'interrupted' ? this.t.interrupted : this.t.networkError) : err.message;
      const li = h('li', { class: 'msg error', role: 'alert' }, h('div', { class: 'bubble' }, message));
      this.log.appendChild(li);
      this.scrollToEnd();
    } finally {
      this.busy = false;
      this.sendButton.removeAttribute('aria-disabled');
      this.save();
    }
  }

  private accept(bot: Streaming, reply: Reply): void {
    this.entries.push({ k: 'r', reply });
    if (reply.type === 'staff' && !reply.text.trim()) bot.li.remove(); // passed to staff, no bot answer
    else {
      this.showReply(bot, reply);
      this.announce(this.t.botSaid + reply.text);
    }
    if (reply.handoff) this.handoff.update(reply.handoff);
    else if (reply.type === 'handoff') this.handoff.update(null);
  }

  private showReply(bot: Streaming, reply: Reply): void {
    const { li } = bot;
    li.classList.remove('streaming');
    li.removeAttribute('aria-busy');
    li.dataset.type = reply.type;
    if (reply.messageId) {
      li.dataset.id = reply.messageId;
      this.shown.add(reply.messageId);
      this.lastId = reply.messageId;
    }
    const bubble = li.querySelector('.bubble')!;
    clear(bubble);
    bubble.appendChild(renderBlocks(replyBlocks(reply.blocks, reply.text), this.t, this.o.origin));
    append(li, renderCitations(reply.citations ?? [], this.t, this.o.origin));
    if (reply.form?.draftId) {
      this.forms.get(reply.form.draftId)?.retire();
      const card = new FormCard(reply.form, {
        t: this.t,
        api: this.api,
        origin: this.o.origin,
        session: () => this.store.sessionId,
        announce: (s) => this.announce(s),
        onConfirmed: () => void this.catchUp(),
      });
      this.forms.set(reply.form.draftId, card);
      li.appendChild(card.el);
    }
    if (reply.ratingRequested) li.appendChild(this.ratingCard(reply.messageId));
    this.setSuggestions(li, renderSuggestions(reply.suggestions ?? [], reply.type === 'clarify' ? this.t.choices : this.t.suggestions, (s) => void this.send(s, false)));
    this.scrollToEnd(bot.anchor);
  }

  private ratingCard(forId: string): HTMLElement {
    return new RatingCard(
      forId,
      {
        t: this.t,
        api: this.api,
        session: () => this.store.sessionId,
        announce: (s) => this.announce(s),
        onRated: (id, rated) => {
          this.rated.set(id, rated);
          this.save();
          // A 差评 asking for help is put in front of a person: show that at once.
          void this.catchUp();
        },
      },
      this.rated.get(forId),
    ).el;
  }

  /** A staff or system message (handoff events, or the conversation reloaded). */
  private showMessage(m: SessionMessage): void {
    if (this.shown.has(m.id)) return;
    this.shown.add(m.id);
    if (!m.id.startsWith('local-')) this.lastId = m.id;
    const staff = m.role === 'staff';
    const li = h(
      'li',
      { class: `msg ${staff ? 'staff' : 'system'}`, 'data-id': m.id },
      staff ? h('p', { class: 'who', 'aria-hidden': 'true' }, this.t.staffName(m.author ?? '')) : null,
      srOnly(staff ? this.t.staffSaid(m.author ?? '') : this.t.systemSaid),
      h('div', { class: 'bubble', lang: 'zh-CN' }, renderBlocks(textToBlocks(m.text), this.t, this.o.origin)),
    );
    if (m.ratingRequested) li.appendChild(this.ratingCard(m.id));
    this.log.appendChild(li);
    this.scrollToEnd();
  }

  /**
   * What the server said outside a chat reply (a confirmed complaint form queued to staff, a
   * 差评 asking for help): system and staff messages after the last one shown, and the handoff.
   */
  private async catchUp(): Promise<boolean> {
    const session = this.store.sessionId;
    if (!session) return false;
    try {
      const r = await this.api.messages(session, this.lastId ?? undefined);
      for (const m of r.items) this.incoming(m);
      this.handoff.update(r.handoff);
      return true;
    } catch {
      // Nothing new can be shown now; the next reply carries the handoff state.
      return false;
    }
  }

  /** A message pushed by the server while the conversation is with staff. */
  private incoming(m: SessionMessage): void {
    if (m.role === 'citizen' || m.role === 'bot' || this.shown.has(m.id)) return;
    this.entries.push({ k: 'm', m });
    this.showMessage(m);
    this.save();
    this.announce((m.role === 'staff' ? this.t.staffSaid(m.author ?? '') : this.t.systemSaid) + m.text);
    if (this.panel.hidden) {
      this.unread += 1;
      clear(this.badge);
      append(this.badge, h('span', { 'aria-hidden': 'true' }, String(this.unread)), srOnly(`${this.unread} 条新消息`));
      this.badge.hidden = false;
    }
  }
}

/** A bot message from GET /api/sessions/:id/messages as a reply (it carries no blocks or form). */
function replyOf(m: SessionMessage, sessionId: string): Reply {
  return {
    sessionId,
    messageId: m.id,
    type: m.type ?? 'answer',
    text: m.text,
    citations: m.citations ?? [],
    suggestions: m.suggestions ?? [],
    form: null,
    handoff: m.handoff ?? null,
    ...(m.ratingRequested ? { ratingRequested: true } : {}),
  };
}

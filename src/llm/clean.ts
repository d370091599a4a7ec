/**
 * Turns a model's reply into the plain text a citizen reads, as it streams: citation markers
 * ([id-card-renewal#fee], 【…】, （来源：…#…）) are taken out — the reply lists its sources in a
 * closing line and in `citations` — Markdown emphasis and headings are dropped, bullets become
 * "·", blank lines collapse. Fed token by token it emits the same text as fed all at once, and
 * it never emits trailing whitespace, so what was streamed is always a prefix of the final text.
 */
const ID = /^[A-Za-z0-9][A-Za-z0-9-]*#[A-Za-z0-9-]+$/;
const OPEN: Record<string, string> = { '[': ']', '【': '】', '(': ')', '（': '）' };
const MARKER_PREFIX = /^(来源|出处|依据|参见|参考|见)[:：]?\s*/;
const MAX_MARKER = 160;

/** The section ids of a bracketed citation marker's inside, or null when it is ordinary text. */
export function markerIds(inner: string): string[] | null {
  const parts = inner.trim().replace(MARKER_PREFIX, '').split(/[,，、;；\s]+/).filter(Boolean);
  return parts.length && parts.every((p) => ID.test(p)) ? parts : null;
}

export class ReplyCleaner {
  private out = '';
  private chunk = '';
  private pendingWs = '';
  private marker: string | null = null;
  private held = '';
  private lineStart = true;
  /** Section ids of the markers taken out, in order. */
  readonly ids: string[] = [];

  /** The text emitted so far. */
  get text(): string {
    return this.out;
  }

  /** Feeds a piece of the reply; returns what may be shown now. */
  push(piece: string): string {
    this.chunk = '';
    for (const c of piece) this.char(c);
    return this.chunk;
  }

  /** The reply is complete: returns what was held back. */
  end(): string {
    this.chunk = '';
    if (this.marker !== null) {
      const m = this.marker;
      this.marker = null;
      this.word(m);
    }
    if (this.held) this.flushHeld(false);
    this.pendingWs = '';
    return this.chunk;
  }

  /** Cleans a whole reply at once. */
  static clean(text: string): { text: string; ids: string[] } {
    const c = new ReplyCleaner();
    c.push(text);
    c.end();
    return { text: c.text, ids: c.ids };
  }

  private atLineStart(): boolean {
    return this.out === '' || this.pendingWs.includes('\n') || this.lineStart;
  }

  private char(c: string): void {
    if (this.marker !== null) {
      const close = OPEN[this.marker[0]];
      if (c === close) {
        const ids = markerIds(this.marker.slice(1));
        const m = this.marker + c;
        this.marker = null;
        if (ids) {
          this.ids.push(...ids.filter((id) => !this.ids.includes(id)));
          if (!this.pendingWs.includes('\n')) this.pendingWs = '';
        } else this.word(m);
        return;
      }
      if (c === '\n' || this.marker.length >= MAX_MARKER) {
        const m = this.marker;
        this.marker = null;
        this.word(m);
        this.char(c);
        return;
      }
      this.marker += c;
      return;
    }
    if (/\s/.test(c)) {
      if (this.held) this.flushHeld(true);
      this.pendingWs += c;
      return;
    }
    if (this.held) {
      if (this.held === '*' && c === '*') {
        this.held = ''; // **bold**: the emphasis goes, the words stay
        return;
      }
      this.flushHeld(false);
    }
    if (c in OPEN) {
      this.marker = c;
      return;
    }
    if (c === '*' || (this.atLineStart() && (c === '-' || c === '•' || c === '·'))) {
      this.held = c;
      return;
    }
    if (c === '#' && this.atLineStart()) return; // Markdown heading marks
    this.word(c);
  }

  /** Emits a held character; a bullet mark before a space becomes "·" (the space follows with the next word). */
  private flushHeld(beforeSpace: boolean): void {
    const h = this.held;
    this.held = '';
    this.word(beforeSpace && this.atLineStart() ? '·' : h);
  }

  private word(s: string): void {
    if (this.pendingWs) {
      const ws = this.pendingWs;
      this.pendingWs = '';
      if (this.out !== '') {
        if (ws.includes('\n')) {
          this.emit('\n');
          this.lineStart = true;
        } else if (!this.lineStart) this.emit(' ');
      }
    }
    this.emit(s);
    this.lineStart = false;
  }

  private emit(s: string): void {
    this.out += s;
    this.chunk += s;
  }
}

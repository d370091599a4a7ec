/**
 * What the widget keeps in the citizen's browser, under keys named for the assistant's origin:
 *  - localStorage: the session id (so the conversation carries on across visits) and 长辈模式;
 *  - sessionStorage: a copy of this tab's conversation as shown, and whether the panel was open,
 *    so a reload or the next page of the site shows the same thing. It goes when the tab closes,
 *    so what a citizen typed does not stay on a shared computer; "新对话" clears everything.
 * Storage may be unavailable (private modes, blocked by the site): then memory stands in.
 */
function area(kind: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    const s = window[kind];
    const probe = '__govchat_probe__';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return null;
  }
}

export class WidgetStorage {
  private readonly local = area('localStorage');
  private readonly session = area('sessionStorage');
  private readonly memory = new Map<string, string>();
  private readonly prefix: string;

  constructor(origin: string) {
    this.prefix = `govchat:${origin}:`;
  }

  private get(s: Storage | null, key: string): string | null {
    try {
      return s ? s.getItem(this.prefix + key) : (this.memory.get(key) ?? null);
    } catch {
      return this.memory.get(key) ?? null;
    }
  }

  private set(s: Storage | null, key: string, value: string | null): void {
    try {
      if (!s) throw new Error('no storage');
      if (value === null) s.removeItem(this.prefix + key);
      else s.setItem(this.prefix + key, value);
    } catch {
      if (value === null) this.memory.delete(key);
      else this.memory.set(key, value);
    }
  }

  get sessionId(): string | null {
    return this.get(this.local, 'session');
  }
  set sessionId(v: string | null) {
    this.set(this.local, 'session', v);
  }

  get elder(): boolean {
    return this.get(this.local, 'elder') === '1';
  }
  set elder(v: boolean) {
    this.set(this.local, 'elder', v ? '1' : null);
  }

  get open(): boolean {
    return this.get(this.session, 'open') === '1';
  }
  set open(v: boolean) {
    this.set(this.session, 'open', v ? '1' : null);
  }

  transcript<T>(): T[] {
    const raw = this.get(this.session, 'transcript');
    if (!raw) return [];
    try {
      const v = JSON.parse(raw) as unknown;
      return Array.isArray(v) ? (v as T[]) : [];
    } catch {
      return [];
    }
  }

  saveTranscript<T>(entries: T[]): void {
    // Keep the newest entries; a full quota simply means older ones are not kept.
    this.set(this.session, 'transcript', JSON.stringify(entries.slice(-60)));
  }

  clear(): void {
    this.sessionId = null;
    this.open = false;
    this.set(this.session, 'transcript', null);
  }
}

import { ApiError, type Api } from './api.js';
import { append, clear, h, srOnly, uid } from './dom.js';
import type { Strings } from './i18n.js';
import { safeUrl } from './safe-url.js';
import type { FormField, FormView } from './types.js';

export interface FormDeps {
  t: Strings;
  api: Api;
  origin: string;
  session(): string | null;
  announce(text: string): void;
  /** A draft was confirmed: what the server did next (a 12345 complaint is queued to staff) is fetched. */
  onConfirmed?(view: FormView): void;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/**
 * A `form` reply as a real form (表单预填): every field labelled, marked 必填/选填, pre-filled with
 * what the citizen said, with its help and its validation message; corrections go to
 * PATCH /api/forms/:draftId (only the fields changed), 确认 to POST …/confirm, and a confirmed
 * form shows the link to the online handling page. The reply's values are masked (ID and phone
 * numbers); the whole values come from GET /api/forms/:draftId for the session that owns it.
 */
export class FormCard {
  readonly el: HTMLElement;
  private view: FormView;
  private initial = new Map<string, string>();
  private controls = new Map<string, Control>();
  private errors: Record<string, string> = {};
  private status: HTMLElement;
  private busy = false;

  constructor(view: FormView, private readonly d: FormDeps) {
    this.view = view;
    // The reply's messages for this turn (a wrong ID number said in the chat); the whole draft
    // fetched next carries none, and they must stay by their fields until corrected.
    for (const f of view.fields) if (f.error) this.errors[f.name] = f.error;
    const titleId = uid('form');
    this.el = h('section', { class: 'card form-card', 'aria-labelledby': titleId, 'data-draft': view.draftId });
    this.el.dataset.titleId = titleId;
    this.status = h('p', { class: 'status', role: 'status', tabindex: '-1' });
    this.render();
    void this.loadWhole();
  }

  get draftId(): string {
    return this.view.draftId;
  }

  /** A newer form reply for the same draft replaced this one. */
  retire(): void {
    clear(this.el);
    this.el.removeAttribute('aria-labelledby');
    this.el.className = 'card form-card retired';
    append(this.el, h('p', {}, this.d.t.formReplaced));
  }

  private async loadWhole(): Promise<void> {
    const session = this.d.session();
    if (!session || this.state() !== 'open') return;
    try {
      const whole = await this.d.api.draft(session, this.view.draftId);
      // Only if the citizen has not started typing: their edits are never overwritten.
      if (!this.dirty()) {
        this.view = whole;
        this.render(this.focusedField());
      }
    } catch {
      /* The masked reply values stay; untouched fields are not sent back. */
    }
  }

  /** The field the citizen is in, so a re-render puts them back there. */
  private focusedField(): string | undefined {
    return [...this.controls].find(([, c]) => c === (this.el.getRootNode() as ShadowRoot).activeElement)?.[0];
  }

  private state(): 'open' | 'confirmed' | 'cancelled' {
    if (this.view.status === 'cancelled') return 'cancelled';
    if (this.view.confirmed || this.view.status === 'confirmed') return 'confirmed';
    return 'open';
  }

  private dirty(): boolean {
    return Object.keys(this.changes()).length > 0;
  }

  private changes(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [name, c] of this.controls) {
      const v = c.value.trim();
      if (v !== (this.initial.get(name) ?? '')) out[name] = v === '' ? null : v;
    }
    return out;
  }

  private render(focusName?: string): void {
    const { t } = this.d;
    const v = this.view;
    clear(this.el);
    this.controls.clear();
    this.initial.clear();
    const titleId = this.el.dataset.titleId!;
    append(this.el, h('h3', { id: titleId }, v.title || t.formTitle));
    const state = this.state();
    if (state === 'cancelled') {
      append(this.el, h('p', {}, t.formCancelled));
      return;
    }
    if (state === 'confirmed') {
      const summary = h('ul', { class: 'summary' });
      for (const f of v.fields) if (f.value) summary.appendChild(h('li', {}, h('b', {}, `${f.label}：`), shown(f)));
      const href = safeUrl(v.url, this.d.origin);
      append(
        this.el,
        h('p', { class: 'status' }, t.confirmed),
        summary,
        href ? h('p', {}, h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'btn' }, t.handleOnline, srOnly(t.newLink))) : null,
        h('p', { class: 'help' }, t.draftNo(v.draftId)),
      );
      return;
    }
    const form = h('form', { novalidate: true });
    for (const f of v.fields) form.appendChild(this.field(f));
    const save = h('button', { type: 'button', class: 'btn secondary' }, t.save);
    const submit = h('button', { type: 'submit', class: 'btn' }, t.confirm);
    save.addEventListener('click', () => void this.save(false));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save(true);
    });
    append(form, h('div', { class: 'actions' }, save, submit));
    append(this.el, form, this.status, h('p', { class: 'help' }, t.draftNo(v.draftId)));
    if (focusName) this.controls.get(focusName)?.focus();
  }

  private field(f: FormField): HTMLElement {
    const { t } = this.d;
    const id = uid('f');
    const helpId = f.help ? `${id}-help` : null;
    const error = this.errors[f.name] ?? f.error ?? null;
    const errId = error ? `${id}-err` : null;
    const described = [helpId, errId].filter(Boolean).join(' ') || null;
    const value = f.value ?? '';
    this.initial.set(f.name, value);
    const common = { id, name: f.name, 'aria-describedby': described, 'aria-invalid': error ? 'true' : null, required: f.required !== false };
    let control: Control;
    if (f.type === 'select' && f.options?.length) {
      const select = h('select', common, h('option', { value: '' }, t.choose));
      for (const o of f.options) select.appendChild(h('option', { value: o }, o));
      select.value = f.options.includes(value) ? value : '';
      if (!f.options.includes(value)) this.initial.set(f.name, '');
      control = select;
    } else if (f.type === 'address' || (f.type === 'text' && value.length > 30)) {
      control = h('textarea', { ...common, rows: '2', autocomplete: f.type === 'address' ? 'street-address' : null });
      control.value = value;
    } else {
      const attrs: Record<string, string | null> = { type: 'text', autocomplete: 'off', spellcheck: 'false' };
      if (f.type === 'phone') Object.assign(attrs, { type: 'tel', autocomplete: 'tel', inputmode: 'tel' });
      if (f.type === 'name') Object.assign(attrs, { autocomplete: 'name', spellcheck: null });
      if (f.type === 'id_number') Object.assign(attrs, { maxlength: '18', inputmode: 'text' });
      if (f.type === 'number') Object.assign(attrs, { inputmode: 'decimal' });
      if (f.type === 'date') Object.assign(attrs, { type: /^\d{4}-\d{2}-\d{2}$/.test(value) || !value ? 'date' : 'text' });
      control = h('input', { ...common, ...attrs });
      control.value = value;
    }
    this.controls.set(f.name, control);
    const required = f.required !== false;
    return h(
      'div',
      { class: `field${error ? ' invalid' : ''}` },
      h('label', { for: id }, f.label, h('span', { class: required ? 'req' : 'opt' }, required ? t.required : t.optional)),
      helpId ? h('p', { class: 'help', id: helpId }, f.help!) : null,
      control,
      errId ? h('p', { class: 'ferr', id: errId }, error!) : null,
    );
  }

  private say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.className = bad ? 'status bad' : 'status';
  }

  /** Saves the changes; with `confirm`, then confirms the draft. */
  private async save(confirm: boolean): Promise<void> {
    const session = this.d.session();
    if (this.busy || !session) return;
    this.busy = true;
    const focused = this.focusedField();
    try {
      const changes = this.changes();
      if (Object.keys(changes).length) {
        this.view = await this.d.api.patchDraft(session, this.view.draftId, changes);
        this.errors = {};
      }
      if (confirm) {
        this.view = await this.d.api.confirmDraft(session, this.view.draftId);
        this.errors = {};
        this.render();
        this.d.announce(this.d.t.confirmed);
        (this.el.querySelector('a') ?? this.el.querySelector('h3'))?.setAttribute('tabindex', '-1');
        (this.el.querySelector('a') as HTMLElement | null)?.focus();
        this.d.onConfirmed?.(this.view);
        return;
      }
      this.render(focused);
      this.say(this.d.t.saved);
    } catch (e) {
      this.onError(e, focused);
    } finally {
      this.busy = false;
    }
  }

  private onError(e: unknown, focused?: string): void {
    const err = e instanceof ApiError ? e : new ApiError(0, 'network', 'network');
    const fields = (err.details as { fields?: Record<string, string> } | undefined)?.fields;
    if (err.status === 422 && fields) {
      // Keep what the citizen typed, mark each wrong field and take them to the first one.
      const typed = new Map([...this.controls].map(([n, c]) => [n, c.value]));
      const initial = new Map(this.initial);
      this.errors = fields;
      this.render();
      for (const [n, c] of this.controls) {
        c.value = typed.get(n) ?? c.value;
        this.initial.set(n, initial.get(n) ?? '');
      }
      const n = Object.keys(fields).length;
      this.say(this.d.t.fixErrors(n), true);
      this.d.announce(this.d.t.fixErrors(n));
      this.controls.get(Object.keys(fields)[0])?.focus();
      return;
    }
    const text = err.status === 0 ? this.d.t.networkError : err.message;
    this.say(text, true);
    this.d.announce(text);
    if (focused) this.controls.get(focused)?.focus();
  }
}

/**
 * A confirmed value as the summary shows it: ID and phone numbers masked as in the chat (the
 * screen of a shared or public computer is seen by others; the draft keeps the whole value).
 */
function shown(f: FormField): string {
  const v = f.value ?? '';
  if (f.type === 'id_number' && v.length > 8) return v.slice(0, 4) + '*'.repeat(v.length - 8) + v.slice(-4);
  if (f.type === 'phone') {
    const d = v.replace(/\D/g, '');
    if (d.length >= 7) return `${d.slice(0, 3)}****${d.slice(-4)}`;
  }
  return v;
}

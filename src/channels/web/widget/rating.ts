import { ApiError, type Api } from './api.js';
import { append, clear, h, uid } from './dom.js';
import type { Strings } from './i18n.js';

/** A rating given, as kept in the tab's copy of the conversation (so a reload shows it). */
export interface Rated {
  text: string;
  level?: number;
  comment?: string;
  /** Until when the server lets it be changed (ISO time, from the answer's editableUntil). */
  until?: string;
}

export interface RatingDeps {
  t: Strings;
  api: Api;
  session(): string | null;
  announce(text: string): void;
  /** Remembered so a reload shows the thanks, not the question again. */
  onRated(forId: string, rated: Rated): void;
}

/**
 * 好差评: the five national levels with their names as real radio buttons in a fieldset, an
 * optional comment, sent to POST /api/ratings. 差评 (1–2) get the date staff will answer by.
 * Within the server's window (24 h) the citizen may change it (修改评价): the new rating replaces
 * the old one; after that the server answers 409 and its reason is shown.
 */
export class RatingCard {
  readonly el: HTMLElement;
  private status: HTMLElement;
  private busy = false;

  constructor(
    private readonly forId: string,
    private readonly d: RatingDeps,
    private done?: Rated,
  ) {
    this.el = h('section', { class: 'card rating-card' });
    this.status = h('p', { class: 'status', role: 'status', tabindex: '-1' });
    if (done) this.thanks(done);
    else this.render();
  }

  private render(previous?: Rated): void {
    const { t } = this.d;
    const name = uid('rate');
    const form = h('form', { novalidate: true });
    const fieldset = h('fieldset', {}, h('legend', {}, t.rateLegend));
    const levels = h('div', { class: 'levels' });
    for (const level of [5, 4, 3, 2, 1]) {
      const id = `${name}-${level}`;
      const radio = h('input', { type: 'radio', name, id, value: String(level), checked: previous?.level === level });
      levels.appendChild(h('label', { class: 'level', for: id }, radio, t.levels[level]));
    }
    fieldset.appendChild(levels);
    const commentId = `${name}-comment`;
    const comment = h('textarea', { id: commentId, rows: '2', maxlength: '500' });
    comment.value = previous?.comment ?? '';
    const submit = h('button', { type: 'submit', class: 'btn' }, previous ? t.rateChangeSubmit : t.rateSubmit);
    append(form, fieldset, h('div', { class: 'field' }, h('label', { for: commentId }, t.rateComment), comment), h('div', { class: 'actions' }, submit), this.status);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const picked = form.querySelector<HTMLInputElement>('input[type=radio]:checked');
      if (!picked) {
        this.say(t.ratePick, true);
        form.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
        return;
      }
      void this.send(Number(picked.value), comment.value.trim());
    });
    clear(this.el);
    this.say('');
    this.el.appendChild(form);
  }

  private say(text: string, bad = false): void {
    this.status.textContent = text;
    this.status.className = bad ? 'status bad' : 'status';
  }

  private async send(level: number, comment: string): Promise<void> {
    const session = this.d.session();
    if (this.busy || !session) return;
    this.busy = true;
    try {
      const r = await this.d.api.rate(session, { level, ...(comment ? { comment } : {}) });
      const name = r.levelName || this.d.t.levels[level];
      let text = r.replaced ? this.d.t.rateUpdated(name) : this.d.t.rateThanks(name);
      if (r.followup?.dueAt) text += this.d.t.rateFollowup(r.followup.dueAt.slice(0, 10));
      const rated: Rated = { text, level, ...(comment ? { comment } : {}), ...(r.editableUntil ? { until: r.editableUntil } : {}) };
      this.thanks(rated);
      this.d.announce(text);
      this.d.onRated(this.forId, rated);
      this.status.focus();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'rating_locked' && this.done) {
        // Too late to change: the rating given stands; say so where the thanks was.
        this.done = { text: this.done.text, ...(this.done.level ? { level: this.done.level } : {}) };
        this.thanks(this.done);
        this.say(`${this.done.text}${e.message}`);
        this.d.onRated(this.forId, this.done);
        this.d.announce(e.message);
        this.status.focus();
        return;
      }
      const text = e instanceof ApiError && e.status !== 0 ? e.message : this.d.t.networkError;
      this.say(text, true);
      this.d.announce(text);
    } finally {
      this.busy = false;
    }
  }

  private thanks(rated: Rated): void {
    this.done = rated;
    clear(this.el);
    this.say(rated.text);
    this.el.appendChild(this.status);
    if (rated.until && Date.parse(rated.until) > Date.now()) {
      const change = h('button', { type: 'button', class: 'btn secondary' }, this.d.t.rateChange);
      change.addEventListener('click', () => {
        this.render(rated);
        this.el.querySelector<HTMLInputElement>('input[type=radio]:checked, input[type=radio]')?.focus();
      });
      this.el.appendChild(h('div', { class: 'actions' }, change));
    }
  }
}

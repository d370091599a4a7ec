import { ApiError, type Api } from './api.js';
import { append, clear, h, uid } from './dom.js';
import type { Strings } from './i18n.js';

export interface RatingDeps {
  t: Strings;
  api: Api;
  session(): string | null;
  announce(text: string): void;
  /** Remembered so a reload shows the thanks, not the question again. */
  onRated(forId: string, text: string): void;
}

/**
 * 好差评: the five national levels with their names as real radio buttons in a fieldset, an
 * optional comment, sent to POST /api/ratings. 差评 (1–2) get the date staff will answer by.
 */
export class RatingCard {
  readonly el: HTMLElement;
  private status: HTMLElement;
  private busy = false;

  constructor(
    private readonly forId: string,
    private readonly d: RatingDeps,
    done?: string,
  ) {
    this.el = h('section', { class: 'card rating-card' });
    this.status = h('p', { class: 'status', role: 'status', tabindex: '-1' });
    if (done) this.thanks(done);
    else this.render();
  }

  private render(): void {
    const { t } = this.d;
    const name = uid('rate');
    const form = h('form', { novalidate: true });
    const fieldset = h('fieldset', {}, h('legend', {}, t.rateLegend));
    const levels = h('div', { class: 'levels' });
    for (const level of [5, 4, 3, 2, 1]) {
      const id = `${name}-${level}`;
      levels.appendChild(h('label', { class: 'level', for: id }, h('input', { type: 'radio', name, id, value: String(level) }), t.levels[level]));
    }
    fieldset.appendChild(levels);
    const commentId = `${name}-comment`;
    const comment = h('textarea', { id: commentId, rows: '2', maxlength: '500' });
    const submit = h('button', { type: 'submit', class: 'btn' }, t.rateSubmit);
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
      let text = this.d.t.rateThanks(r.levelName || this.d.t.levels[level]);
      if (r.followup?.dueAt) text += this.d.t.rateFollowup(r.followup.dueAt.slice(0, 10));
      this.thanks(text);
      this.d.announce(text);
      this.d.onRated(this.forId, text);
      this.status.focus();
    } catch (e) {
      const text = e instanceof ApiError && e.status !== 0 ? e.message : this.d.t.networkError;
      this.say(text, true);
      this.d.announce(text);
    } finally {
      this.busy = false;
    }
  }

  private thanks(text: string): void {
    clear(this.el);
    this.say(text);
    this.el.appendChild(this.status);
  }
}

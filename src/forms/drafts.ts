/**
 * Form drafts (表单预填): the values gathered so far, stored through the record store, shown as
 * the reply's `form` (masked) or whole to the session that owns the draft, corrected field by
 * field with the same validation as the dialogue, and confirmed with a link to the online
 * handling page carrying the draft id.
 */
import type { FormField, FormView, HandoffView } from '../dialogue/reply.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Guide } from '../kb/schema.js';
import { AppError, conflict } from '../platform/errors.js';
import type { ConversationRecords } from '../records/store.js';
import type { DraftRow } from '../records/schema.js';
import { calendarDateIn, type CalendarDate } from './dates.js';
import { deriveFromId, displayValue, parseFieldValue } from './fields.js';
import { optionsOf, type FormSpec } from './spec.js';

export type DraftStatus = FormView['status'];

export interface Draft {
  row: DraftRow;
  spec: FormSpec;
  guide: Guide | null;
  values: Record<string, string>;
  status: DraftStatus;
  /** What happened once it was confirmed, to tell the citizen (a complaint handed to staff). */
  followUp?: { text: string; handoff: HandoffView | null } | null;
}

/** What GET /api/forms/:draftId returns: the whole values, what the ID number tells, the times. */
export interface DraftDetail extends FormView {
  guideId: string | null;
  department: string | null;
  /** Birth date, sex and age read from each ID number field (GB 11643). */
  derived: Record<string, { birthDate: string; sex: 'male' | 'female'; age: number }>;
  createdAt: string;
  updatedAt: string;
  confirmedAt: string | null;
}

export interface FormDraftsOptions {
  records: ConversationRecords;
  specs: () => ReadonlyMap<string, FormSpec>;
  knowledge: () => KnowledgeBase;
  /** Base URL for the handling page when a guide has no online_url (PUBLIC_URL). */
  publicUrl: string;
  /** Now; "today" in Asia/Shanghai is derived from it (tests inject a fixed day). */
  clock?: () => Date;
  /** Runs when a draft is confirmed, in the chat or through the API (the complaint form queues a person). */
  onConfirmed?: (d: Draft) => Promise<{ text: string; handoff: HandoffView | null } | null>;
}

export function isComplete(spec: FormSpec, values: Record<string, string>): boolean {
  return spec.fields.every((f) => !f.required || !!values[f.name]);
}

export class FormDrafts {
  constructor(private readonly opts: FormDraftsOptions) {}

  today(): CalendarDate {
    return calendarDateIn(this.opts.clock?.() ?? new Date());
  }

  /** The form a guide names in its front matter, when its spec exists. */
  formOfGuide(guideId: string): { spec: FormSpec; guide: Guide } | null {
    const guide = this.opts.knowledge().byId.get(guideId);
    const spec = guide?.form ? this.opts.specs().get(guide.form) : undefined;
    return guide && spec ? { spec, guide } : null;
  }

  private toDraft(row: DraftRow): Draft | null {
    const spec = this.opts.specs().get(row.form_id);
    if (!spec) return null;
    const values = JSON.parse(row.data) as Record<string, string>;
    const guide = row.guide_id ? (this.opts.knowledge().byId.get(row.guide_id) ?? null) : null;
    return { row, spec, guide, values, status: row.status as DraftStatus };
  }

  async create(conversationId: string, spec: FormSpec, guide: Guide | null): Promise<Draft> {
    const row = await this.opts.records.createDraft({ conversationId, formId: spec.id, guideId: guide?.id ?? null, data: {} });
    return { row, spec, guide, values: {}, status: 'open' };
  }

  /** The latest draft of a form in a conversation that is still being filled, if any. */
  async resumable(conversationId: string, formId: string): Promise<Draft | null> {
    const rows = await this.opts.records.draftsOf(conversationId);
    const row = rows.reverse().find((r) => r.form_id === formId && (r.status === 'open' || r.status === 'complete'));
    return row ? this.toDraft(row) : null;
  }

  async load(draftId: string): Promise<Draft | null> {
    const row = await this.opts.records.getDraft(draftId);
    return row ? this.toDraft(row) : null;
  }

  /** Stores the values; the status follows: complete once every required field has a value. */
  async save(d: Draft, values: Record<string, string>): Promise<Draft> {
    if (d.status === 'confirmed' || d.status === 'cancelled') throw conflict(d.status === 'confirmed' ? '这份申请表已经确认提交，不能再修改' : '这份申请表已经取消');
    const status: DraftStatus = isComplete(d.spec, values) ? 'complete' : 'open';
    await this.opts.records.updateDraft(d.row.id, { data: values, status });
    return { ...d, values, status, row: { ...d.row, data: JSON.stringify(values), status, updated_at: Date.now() } };
  }

  async confirm(d: Draft): Promise<Draft> {
    if (d.status === 'confirmed') return d;
    if (d.status === 'cancelled') throw conflict('这份申请表已经取消，不能确认');
    if (!isComplete(d.spec, d.values)) {
      const missing = d.spec.fields.filter((f) => f.required && !d.values[f.name]).map((f) => f.label);
      throw conflict(`申请表还没有填完，还缺：${missing.join('、')}`);
    }
    const at = Date.now();
    await this.opts.records.updateDraft(d.row.id, { status: 'confirmed', confirmedAt: at });
    const confirmed: Draft = { ...d, status: 'confirmed', row: { ...d.row, status: 'confirmed', confirmed_at: at, updated_at: at } };
    return { ...confirmed, followUp: (await this.opts.onConfirmed?.(confirmed)) ?? null };
  }

  /** Cancels a draft and erases what it held: nothing the citizen said is kept for a form not wanted. */
  async cancel(d: Draft): Promise<Draft> {
    await this.opts.records.updateDraft(d.row.id, { data: {}, status: 'cancelled' });
    return { ...d, values: {}, status: 'cancelled' };
  }

  /**
   * Corrections from the form view: each value parsed and checked as in the dialogue; null or ''
   * clears an optional field. All or nothing: any wrong value answers 422 with an error per field.
   */
  async patch(d: Draft, input: Record<string, string | null>): Promise<Draft> {
    if (d.status === 'confirmed' || d.status === 'cancelled') throw conflict(d.status === 'confirmed' ? '这份申请表已经确认提交，不能再修改' : '这份申请表已经取消');
    const byName = new Map(d.spec.fields.map((f) => [f.name, f]));
    const unknown = Object.keys(input).filter((k) => !byName.has(k));
    if (unknown.length) throw new AppError(400, 'unknown_fields', `申请表《${d.spec.title}》没有这些项：${unknown.join(', ')}`);
    const values = { ...d.values };
    const errors: Record<string, string> = {};
    const today = this.today();
    for (const [name, raw] of Object.entries(input)) {
      const f = byName.get(name)!;
      if (raw === null || raw.trim() === '') {
        delete values[name];
        continue;
      }
      const r = parseFieldValue(f, raw, { today, bare: true });
      if (r.ok) values[name] = r.value;
      else errors[name] = r.error;
    }
    if (Object.keys(errors).length) {
      throw new AppError(422, 'invalid_fields', `有${Object.keys(errors).length}项填写不正确：${Object.entries(errors).map(([k, e]) => `${byName.get(k)!.label}：${e}`).join(' ')}`, { fields: errors });
    }
    return this.save(d, values);
  }

  /** The online handling page for the draft: the guide's online_url, else PUBLIC_URL/forms/<id>. */
  handlingUrl(d: Draft): string {
    if (d.guide?.online_url) {
      const u = new URL(d.guide.online_url);
      u.searchParams.set('draft', d.row.id);
      return u.toString();
    }
    return `${this.opts.publicUrl.replace(/\/+$/, '')}/forms/${encodeURIComponent(d.row.id)}`;
  }

  /** The reply's `form`; `masked` for chat (ID and phone numbers), `errors` from this turn. */
  view(d: Draft, opts: { masked: boolean; errors?: Record<string, string> }): FormView {
    const fields: FormField[] = d.spec.fields.map((f) => {
      const v = d.values[f.name];
      const error = opts.errors?.[f.name] ?? null;
      const missing = f.required && !v;
      return {
        name: f.name,
        type: f.type,
        label: f.label,
        value: v ? (opts.masked ? displayValue(f, v, { masked: true }) : v) : null,
        valid: !error && !missing,
        missing,
        error,
        options: f.type === 'select' ? optionsOf(f).map((o) => o.value) : null,
        required: f.required,
        help: f.help,
      };
    });
    return {
      formId: d.spec.id,
      draftId: d.row.id,
      title: d.spec.title,
      fields,
      complete: isComplete(d.spec, d.values),
      confirmed: d.status === 'confirmed',
      status: d.status,
      url: this.handlingUrl(d),
    };
  }

  detail(d: Draft, department: string | null): DraftDetail {
    const today = this.today();
    const derived: DraftDetail['derived'] = {};
    for (const f of d.spec.fields) {
      const v = d.values[f.name];
      const info = f.type === 'id_number' && v ? deriveFromId(v, today) : null;
      if (info) derived[f.name] = info;
    }
    const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
    return {
      ...this.view(d, { masked: false }),
      guideId: d.row.guide_id,
      department,
      derived,
      createdAt: iso(d.row.created_at)!,
      updatedAt: iso(d.row.updated_at)!,
      confirmedAt: iso(d.row.confirmed_at),
    };
  }
}

/**
 * The slot-filling dialogue (the engine's FormsPort): starts the form of the service the citizen
 * wants, keeps what the opening message already said, asks for one missing field at a time,
 * takes several fields in one message, corrections ("电话写错了，是…"), 取消, and lets an
 * unrelated question through to be answered (then reminds of the open form).
 */
import type { Block } from '../answer/blocks.js';
import { blocksToText } from '../answer/blocks.js';
import type { FormsPort, Turn, TurnContext } from '../dialogue/engine.js';
import { formatChineseDate, fromIsoDate } from './dates.js';
import { deriveFromId, displayValue } from './fields.js';
import type { Draft, FormDrafts } from './drafts.js';
import { extractFields, fieldNamed, looksLikeQuestion } from './extract.js';
import { optionsOf, type FieldSpec, type FormSpec } from './spec.js';

const CANCEL = /^(取消|不办了|不填了|算了|不要了|退出|不用了|先不办了?|不想办了|不申请了|取消填写|取消申请|停止填写|不弄了)[吧啊了。！!\s]*$|不办了|不填了|取消(填写|申请|办理)/;
const CONFIRM = /^(确认|确定|提交|确认提交|确认无误|没问题|对的|对|是的|好的|好|可以|没错|无误|就这样|行)[吧啊了的。！!\s]*$/;
const CORRECTION = /写错|填错|说错|输错|打错|弄错|搞错|不对|错了|改(成|为|一下|下)|更正|修改|换成|应该是|重新填|重填/;

export interface FormFillerOptions {
  drafts: FormDrafts;
}

interface Outcome {
  accepted: FieldSpec[];
  errors: Record<string, string>;
}

/** A message taken as an answer to the form is part of applying, whatever it looked like alone. */
const FORM_ANSWER = { name: 'apply', confidence: 0.95, rule: 'form answer' } as const;

const question = (f: FieldSpec) => f.ask ?? `请告诉我${f.label}。`;

export class FormFiller implements FormsPort {
  constructor(private readonly opts: FormFillerOptions) {}

  private get drafts(): FormDrafts {
    return this.opts.drafts;
  }

  async start(ctx: TurnContext, guideId: string): Promise<Turn | null> {
    const found = this.drafts.formOfGuide(guideId);
    if (!found) return null;
    const { spec, guide } = found;
    const lead: string[] = [];
    const current = ctx.session.formDraftId ? await this.drafts.load(ctx.session.formDraftId) : null;
    if (current && (current.status === 'open' || current.status === 'complete')) {
      if (current.spec.id === spec.id) return this.resume(ctx, current, `您正在填写《${spec.title}》，我们接着填。`);
      lead.push(`您之前填写的《${current.spec.title}》已保存为草稿（编号 ${current.row.id}），需要时说“我要办${current.guide?.title ?? current.spec.title}”就能接着填。`);
    }
    const earlier = await this.drafts.resumable(ctx.conversation.id, spec.id);
    if (earlier) return this.resume(ctx, earlier, [...lead, `找到了您之前没填完的《${spec.title}》，我们接着填。`].join('\n'));
    let draft = await this.drafts.create(ctx.conversation.id, spec, guide);
    ctx.session.formDraftId = draft.row.id;
    ctx.session.formAsking = null;
    ctx.session.guideId = guide.id;
    const required = spec.fields.filter((f) => f.required).length;
    lead.push(
      spec.intro ??
        `好的，我来帮您预填《${spec.title}》，一共${required}项必填，我一项一项问您。填好后可以在网上直接办理，也可以带到窗口。随时回复“取消”可以不再填写。`,
    );
    const extracted = extractFields(ctx.message.text, spec, { today: this.drafts.today(), opening: true, filled: new Set() });
    const outcome = this.apply(draft, extracted);
    draft = await this.drafts.save(draft, outcome.values);
    return this.prompt(ctx, draft, outcome, lead);
  }

  /** Back to a draft being filled: what the message adds is kept, then the next question. */
  private async resume(ctx: TurnContext, draft: Draft, lead: string): Promise<Turn> {
    ctx.session.formDraftId = draft.row.id;
    ctx.session.guideId = draft.guide?.id ?? ctx.session.guideId;
    const extracted = extractFields(ctx.message.text, draft.spec, { today: this.drafts.today(), filled: new Set(Object.keys(draft.values)) });
    const outcome = this.apply(draft, extracted);
    const saved = outcome.accepted.length ? await this.drafts.save(draft, outcome.values) : draft;
    return this.prompt(ctx, saved, outcome, lead.split('\n'));
  }

  async continue(ctx: TurnContext, text: string): Promise<Turn | null> {
    const turn = await this.answer(ctx, text);
    return turn && { ...turn, intent: turn.intent ?? FORM_ANSWER };
  }

  private async answer(ctx: TurnContext, text: string): Promise<Turn | null> {
    const { session } = ctx;
    let draft = session.formDraftId ? await this.drafts.load(session.formDraftId) : null;
    if (!draft || draft.status === 'confirmed' || draft.status === 'cancelled') {
      session.formDraftId = null;
      session.formAsking = null;
      return null;
    }
    const t = text.trim();
    if (CANCEL.test(t)) {
      draft = await this.drafts.cancel(draft);
      session.formDraftId = null;
      session.formAsking = null;
      return this.turn(draft, [{ type: 'paragraph', text: `好的，已取消《${draft.spec.title}》的填写，您填过的信息已经删除。还有什么可以帮您？` }], [], {});
    }
    if (draft.status === 'complete' && CONFIRM.test(t)) return this.confirmTurn(ctx, await this.drafts.confirm(draft));
    // A person, a case's progress, another service or complaint: the engine handles it.
    if (ctx.intent.name === 'handoff' || ctx.intent.name === 'progress') return null;

    const named = CORRECTION.test(t) ? fieldNamed(t, draft.spec) : null;
    const extracted = extractFields(t, draft.spec, {
      today: this.drafts.today(),
      asking: session.formAsking ?? null,
      target: named?.name ?? null,
      filled: new Set(Object.keys(draft.values)),
      elsewhere: looksLikeQuestion(t) && ctx.intent.name === 'ask' && ctx.intent.confidence >= 0.7,
    });
    if (extracted.length) {
      const outcome = this.apply(draft, extracted);
      draft = await this.drafts.save(draft, outcome.values);
      return this.prompt(ctx, draft, outcome, []);
    }
    if (named) {
      session.formAsking = named.name;
      return this.turn(draft, [{ type: 'paragraph', text: `好的，请告诉我正确的${named.label}。` }, { type: 'paragraph', text: `提示：${named.help}` }], this.suggestionsFor(named), {});
    }
    // Nothing for the form: a question or another request goes to the dialogue, which answers
    // it and reminds of the form.
    if (ctx.intent.name === 'apply' || ctx.intent.name === 'complaint' || ctx.intent.name === 'out_of_scope') return null;
    if (looksLikeQuestion(t) || (ctx.intent.name !== 'smalltalk' && ctx.intent.confidence >= 0.8)) return null;
    const asking = draft.spec.fields.find((f) => f.name === session.formAsking);
    if (draft.status === 'complete' || !asking) {
      return this.turn(draft, [{ type: 'paragraph', text: '信息已经填好了。请回复“确认”提交；要修改哪一项，直接告诉我，例如“电话改成13900001111”。' }], ['确认提交', '取消填写'], {});
    }
    if (CONFIRM.test(t) && /确认|提交|确定/.test(t)) {
      const missing = draft.spec.fields.filter((f) => f.required && !draft.values[f.name]).map((f) => f.label);
      return this.turn(draft, [{ type: 'paragraph', text: `还差${missing.length}项没有填：${missing.join('、')}。${question(asking)}` }], this.suggestionsFor(asking), {});
    }
    const lead = ctx.intent.name === 'smalltalk' ? '好的。' : '抱歉，我没有看明白。';
    return this.turn(draft, [{ type: 'paragraph', text: `${lead}${question(asking)}` }, { type: 'paragraph', text: `提示：${asking.help}` }], this.suggestionsFor(asking), {});
  }

  async reminder(ctx: TurnContext): Promise<string | null> {
    const draft = ctx.session.formDraftId ? await this.drafts.load(ctx.session.formDraftId) : null;
    if (!draft || (draft.status !== 'open' && draft.status !== 'complete')) return null;
    if (draft.status === 'complete') return `（您的《${draft.spec.title}》已经填好，回复“确认”即可提交；回复“取消”可以不再填写。）`;
    const next = this.nextField(draft.spec, draft.values, ctx.session.formAsking);
    return `（您的《${draft.spec.title}》还没填完${next ? `，接下来请告诉我${next.label}` : ''}；回复“取消”可以不再填写。）`;
  }

  /** Good values are kept, wrong ones reported; a field named twice keeps the first mention. */
  private apply(draft: Draft, extracted: ReturnType<typeof extractFields>): Outcome & { values: Record<string, string> } {
    const values = { ...draft.values };
    const accepted: FieldSpec[] = [];
    const errors: Record<string, string> = {};
    for (const x of extracted) {
      if (x.result.ok) {
        values[x.field.name] = x.result.value;
        accepted.push(x.field);
      } else errors[x.field.name] = x.result.error;
    }
    return { values, accepted, errors };
  }

  private nextField(spec: FormSpec, values: Record<string, string>, prefer?: string | null): FieldSpec | null {
    const preferred = spec.fields.find((f) => f.name === prefer && f.required && !values[f.name]);
    return preferred ?? spec.fields.find((f) => f.required && !values[f.name]) ?? null;
  }

  private suggestionsFor(f: FieldSpec): string[] {
    return f.type === 'select' ? optionsOf(f).map((o) => o.value) : [];
  }

  /** Says what was kept, what was wrong and why, then asks for the next field or for confirmation. */
  private prompt(ctx: TurnContext, draft: Draft, outcome: Outcome, lead: string[]): Turn {
    const blocks: Block[] = lead.map((text) => ({ type: 'paragraph', text }));
    const today = this.drafts.today();
    if (outcome.accepted.length) {
      const order = (f: FieldSpec) => draft.spec.fields.indexOf(f);
      const items = [...outcome.accepted].sort((a, b) => order(a) - order(b)).map((f) => `${f.label}：${this.shown(f, draft.values[f.name], today)}`);
      blocks.push({ type: 'paragraph', text: `已记下：${items.join('；')}。` });
    }
    const errored = draft.spec.fields.filter((f) => outcome.errors[f.name]);
    for (const f of errored) blocks.push({ type: 'paragraph', text: `${f.label}：${outcome.errors[f.name]}` });

    // Ask again for the first wrong field, else the next missing one.
    const next = errored.find((f) => !draft.values[f.name]) ?? errored[0] ?? this.nextField(draft.spec, draft.values, ctx.session.formAsking);
    if (next && draft.status !== 'complete') {
      ctx.session.formAsking = next.name;
      const again = outcome.errors[next.name] ? `请重新告诉我${next.label}。` : question(next);
      const filled = draft.spec.fields.filter((f) => f.required && draft.values[f.name]).length;
      const total = draft.spec.fields.filter((f) => f.required).length;
      blocks.push({ type: 'paragraph', text: `${again}${filled ? `（已填${filled}/${total}项）` : ''}` });
      if (!outcome.errors[next.name]) blocks.push({ type: 'paragraph', text: `提示：${next.help}` });
      if (next.type === 'select') blocks.push({ type: 'list', ordered: true, items: optionsOf(next).map((o) => o.value) });
      return this.turn(draft, blocks, this.suggestionsFor(next), outcome.errors);
    }
    if (next && draft.status === 'complete') {
      // A correction of an optional or already filled field was wrong: ask for it again.
      ctx.session.formAsking = next.name;
      blocks.push({ type: 'paragraph', text: `请重新告诉我${next.label}，或回复“确认”按原来的信息提交。` });
      return this.turn(draft, blocks, this.suggestionsFor(next), outcome.errors);
    }
    ctx.session.formAsking = null;
    blocks.push({ type: 'paragraph', text: `《${draft.spec.title}》的必填信息已经齐了，请核对：` });
    blocks.push({
      type: 'list',
      ordered: false,
      items: draft.spec.fields.filter((f) => draft.values[f.name]).map((f) => `${f.label}：${this.shown(f, draft.values[f.name], today)}`),
    });
    const optional = draft.spec.fields.filter((f) => !f.required && !draft.values[f.name]).map((f) => f.label);
    if (optional.length) blocks.push({ type: 'paragraph', text: `还可以补充（选填）：${optional.join('、')}，直接告诉我即可。` });
    blocks.push({ type: 'paragraph', text: '信息无误请回复“确认”；要修改哪一项，直接告诉我，例如“电话改成13900001111”。' });
    return this.turn(draft, blocks, ['确认提交', '取消填写'], outcome.errors);
  }

  private shown(f: FieldSpec, value: string, today: ReturnType<FormDrafts['today']>): string {
    const v = displayValue(f, value, { masked: true });
    if (f.type !== 'id_number') return v;
    const info = deriveFromId(value, today);
    const birth = info ? fromIsoDate(info.birthDate) : null;
    return info && birth ? `${v}（${formatChineseDate(birth, false)}出生，${info.sex === 'male' ? '男' : '女'}）` : v;
  }

  private confirmTurn(ctx: TurnContext, draft: Draft): Turn {
    ctx.session.formDraftId = null;
    ctx.session.formAsking = null;
    const url = this.drafts.handlingUrl(draft);
    const blocks: Block[] = [
      { type: 'paragraph', text: `已确认，《${draft.spec.title}》已保存（草稿编号 ${draft.row.id}）。` },
      { type: 'paragraph', text: `请打开下面的链接在网上继续办理，您填写的内容会自动带入：${url}` },
      { type: 'paragraph', text: draft.spec.outro ?? '也可以带上申请材料到窗口办理，告诉工作人员草稿编号即可。' },
      ...(draft.followUp ? [{ type: 'paragraph' as const, text: draft.followUp.text }] : []),
    ];
    return { ...this.turn(draft, blocks, [], {}), ...(draft.followUp?.handoff ? { handoff: draft.followUp.handoff } : {}) };
  }

  private turn(draft: Draft, blocks: Block[], suggestions: string[], errors: Record<string, string>): Turn {
    return {
      type: 'form',
      text: blocksToText(blocks),
      blocks,
      citations: [],
      suggestions,
      form: this.drafts.view(draft, { masked: true, errors }),
      // For staff and audits: which fields, never their values.
      evidence: { form: draft.spec.id, draftId: draft.row.id, status: draft.status, filled: Object.keys(draft.values), errors: Object.keys(errors) },
    };
  }
}

/**
 * Progress queries in the dialogue (the engine's ProgressPort): the citizen gives the case number
 * from the receipt and, for privacy, the last four digits of the phone given when applying; the
 * assistant asks for whichever is missing and answers with the status, the current step and the
 * expected completion date. After three misses in a conversation it stops looking (a receipt is
 * not to be guessed at) and offers a member of staff.
 */
import type { Block } from '../answer/blocks.js';
import { blocksToText } from '../answer/blocks.js';
import type { ProgressPort, Turn, TurnContext } from '../dialogue/engine.js';
import type { SessionState } from '../dialogue/session.js';
import { formatChineseDate, fromIsoDate } from '../forms/dates.js';
import type { Logger } from '../platform/logger.js';
import { CaseSystemUnavailable, statusText, type CaseRecord, type CaseSystem } from './case-system.js';

const MAX_MISSES = 3;
const CANCEL = /^(取消|算了|不查了|不用了|不用查了|先不查了?)[吧啊了。！!\s]*$/;
const LAST4 = /(?:尾号|后四位|后4位|末四位|末4位|最后四位|最后4位|后面四位)(?:是|为)?[:：\s]*(\d{4})(?!\d)/;
const MOBILE = /(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)/;
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;
const CASE_NO = /(?<![A-Za-z0-9])([A-Za-z]{1,6}-?\d{6,20}|\d{10,24})(?![A-Za-z0-9])/g;

export interface ProgressQueryParts {
  caseNo: string | null;
  phoneLast4: string | null;
  /** A whole mobile number was given: only its last four digits are used. */
  wholePhone: boolean;
  idNumberGiven: boolean;
}

/** The case number and phone digits a message carries. */
export function parseProgressQuery(message: string): ProgressQueryParts {
  const text = message.normalize('NFKC');
  const mobile = MOBILE.exec(text)?.[0] ?? null;
  const id = ID_NUMBER.exec(text)?.[0] ?? null;
  let caseNo: string | null = null;
  for (const m of text.matchAll(CASE_NO)) {
    const v = m[1];
    if (v === id || (mobile && mobile.endsWith(v)) || /^(?:\+?86)?1[3-9]\d{9}$/.test(v)) continue;
    caseNo = v.toUpperCase().replace('-', '');
    break;
  }
  let last4 = LAST4.exec(text)?.[1] ?? null;
  if (!last4 && mobile) last4 = mobile.slice(-4);
  if (!last4) {
    // Four digits on their own ("5678", "SL… 5678").
    const rest = caseNo ? text.replace(new RegExp(caseNo, 'i'), ' ') : text;
    const lone = [...rest.matchAll(/(?<![0-9A-Za-z])(\d{4})(?![0-9A-Za-z])/g)].map((m) => m[1]);
    if (lone.length === 1) last4 = lone[0];
  }
  return { caseNo, phoneLast4: last4, wholePhone: !!mobile && !LAST4.test(text), idNumberGiven: !!id };
}

export interface ProgressAssistantOptions {
  /** Null when no case system is configured. */
  cases: CaseSystem | null;
  logger: Logger;
}

type ProgressState = NonNullable<SessionState['progress']>;

export class ProgressAssistant implements ProgressPort {
  constructor(private readonly opts: ProgressAssistantOptions) {}

  async query(ctx: TurnContext, text: string): Promise<Turn> {
    const { session } = ctx;
    const state: ProgressState = session.progress ?? { caseNo: null, misses: 0, pending: false };
    session.progress = state;
    if (!this.opts.cases) {
      state.pending = false;
      return this.reply('no_answer', [
        '这里暂时还不能查询办件进度。您可以登录“示例市政务服务”网站 https://zwfw.example.gov.cn 在“我的办件”里查看，或拨打12345政务服务便民热线查询。',
      ]);
    }
    if (state.misses >= MAX_MISSES) {
      state.pending = false;
      return this.reply('no_answer', [
        `为保护办事人的信息，连续${MAX_MISSES}次没有查到后，这个对话里暂时不能再查询。请核对受理回执上的办件编号，或登录“示例市政务服务”网站查看；需要帮助请回复“转人工”。`,
      ], ['转人工']);
    }
    const parts = parseProgressQuery(text);
    const lead: string[] = [];
    if (parts.idNumberGiven) lead.push('查询进度不需要身份证号码，请不要在对话里发送身份证号。');
    if (parts.wholePhone) lead.push('只需要手机号的后四位就可以，不用发完整的号码。');
    const caseNo = parts.caseNo ?? state.caseNo;
    if (!caseNo) {
      state.pending = true;
      return this.reply('clarify', [...lead, '请告诉我受理回执上的办件编号（也叫受理编号，例如 SL20261101001）。网上申请的，编号在提交成功的页面和短信里。']);
    }
    state.caseNo = caseNo;
    if (!parts.phoneLast4) {
      state.pending = true;
      return this.reply('clarify', [...lead, `好的，办件编号 ${caseNo}。为保护您的个人信息，请再告诉我申请时所留手机号码的后四位。`]);
    }
    try {
      const r = await this.opts.cases.lookup({ caseNo, phoneLast4: parts.phoneLast4 });
      this.opts.logger.info({ system: this.opts.cases.name, found: r.found }, 'progress query');
      if (!r.found) {
        state.misses++;
        state.caseNo = null;
        state.pending = true; // the next numbers are tried (or refused, after the last miss)
        return this.reply('clarify', [
          ...lead,
          `没有查到办件编号为 ${caseNo}、手机号后四位为 ${parts.phoneLast4} 的办件。请核对受理回执上的编号；如果申请时留的是家人的手机号，请换那个号码的后四位再试。`,
        ]);
      }
      session.progress = { caseNo: null, misses: state.misses, pending: false };
      return this.found(r.record, lead);
    } catch (e) {
      state.pending = false;
      if (!(e instanceof CaseSystemUnavailable)) throw e;
      this.opts.logger.warn({ system: this.opts.cases.name, reason: e.reason, err: e.message }, 'case system unavailable');
      return this.reply('no_answer', [
        ...lead,
        '抱歉，办件系统暂时连接不上，现在查不到进度。请过一会儿再试；也可以登录“示例市政务服务”网站 https://zwfw.example.gov.cn 在“我的办件”里查看，或拨打12345政务服务便民热线查询。',
      ], ['转人工']);
    }
  }

  /** A message while a query waits for its number or digits; null when it is about something else. */
  async continue(ctx: TurnContext, text: string): Promise<Turn | null> {
    const state = ctx.session.progress;
    if (!state?.pending) return null;
    if (CANCEL.test(text.trim())) {
      state.pending = false;
      state.caseNo = null;
      return this.reply('smalltalk', ['好的，不查了。还有什么可以帮您？']);
    }
    const parts = parseProgressQuery(text);
    if (parts.caseNo || parts.phoneLast4 || parts.idNumberGiven) return { ...(await this.query(ctx, text)), intent: { name: 'progress', confidence: 0.95, rule: 'progress answer' } };
    state.pending = false;
    return null;
  }

  private found(c: CaseRecord, lead: string[]): Turn {
    const demo = this.opts.cases?.demo ?? false;
    const expected = c.expectedCompletionDate ? fromIsoDate(c.expectedCompletionDate) : null;
    const items = [
      `办件编号：${c.caseNo}`,
      `办理事项：${c.serviceName}`,
      `当前状态：${statusText(c)}`,
      ...(c.currentStep ? [`当前环节：${c.currentStep}`] : []),
      `预计办结：${expected ? formatChineseDate(expected) : c.status === 'supplement_required' ? '补正材料后重新计算' : '暂未确定'}`,
    ];
    const blocks: Block[] = [
      ...lead.map((text) => ({ type: 'paragraph' as const, text })),
      { type: 'paragraph', text: `查到了您的办件${demo ? '（示例数据，仅供演示）' : ''}：` },
      { type: 'list', ordered: false, items },
      ...(c.note ? [{ type: 'paragraph' as const, text: c.note }] : []),
    ];
    return {
      type: 'answer',
      text: blocksToText(blocks),
      blocks,
      citations: [],
      suggestions: [],
      evidence: { progress: { system: this.opts.cases?.name, demo, status: c.status } },
    };
  }

  private reply(type: Turn['type'], paragraphs: string[], suggestions: string[] = []): Turn {
    const blocks: Block[] = paragraphs.map((text) => ({ type: 'paragraph', text }));
    return { type, text: blocksToText(blocks), blocks, citations: [], suggestions, evidence: { progress: { system: this.opts.cases?.name ?? null } } };
  }
}

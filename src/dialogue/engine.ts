import type { Answerer, AnswerResult, Analysis } from '../answer/answerer.js';
import { STAFF_OFFER } from '../answer/answerer.js';
import { blocksToText, type Block } from '../answer/blocks.js';
import type { Logger } from '../platform/logger.js';
import { maskPII } from '../platform/pii.js';
import type { ConversationRecords, StoredMessage } from '../records/store.js';
import type { Conversation } from '../records/schema.js';
import { classifyIntent, type Intent } from './intent.js';
import type { FormView, HandoffView, Reply, ReplyType } from './reply.js';
import { acceptableSessionId, newSession, newSessionId, type SessionState, type SessionStore } from './session.js';

/** What one turn of a capability (answer, forms, handoff, progress) contributes to the reply. */
export interface Turn {
  type: ReplyType;
  text: string;
  blocks?: Block[];
  citations?: Reply['citations'];
  suggestions?: string[];
  form?: FormView | null;
  handoff?: HandoffView | null;
  /** Kept with the bot message for staff: evidence, confidence, reason. */
  evidence?: unknown;
  ratingRequested?: boolean;
  /** No bot message is recorded or sent (staff hold the conversation). */
  silent?: boolean;
}

export interface TurnContext {
  session: SessionState;
  conversation: Conversation;
  channel: string;
  intent: Intent;
  analysis: Analysis;
  /** The citizen's message as stored. */
  message: StoredMessage;
}

/** Form pre-fill (表单预填). */
export interface FormsPort {
  /** Starts a draft for the guide's form; null when the guide has no form. */
  start(ctx: TurnContext, guideId: string): Promise<Turn | null>;
  /** A message while a draft is open; null: not a form answer, let the dialogue handle it. */
  continue(ctx: TurnContext, text: string): Promise<Turn | null>;
  /** A reminder of the open draft, appended after an unrelated answer. */
  reminder(ctx: TurnContext): Promise<string | null>;
}

/** Human handoff (转人工). */
export interface HandoffPort {
  /** Current handoff of a conversation, if one is active. */
  status(conversation: Conversation): Promise<HandoffView | null>;
  request(ctx: TurnContext, reason: 'handoff' | 'no_answer' | 'complaint' | 'rating'): Promise<Turn>;
  /** A citizen message while waiting or while staff hold the conversation. */
  citizenMessage(ctx: TurnContext, text: string): Promise<Turn>;
}

/** Case progress queries (办件进度). */
export interface ProgressPort {
  query(ctx: TurnContext, text: string): Promise<Turn>;
}

/** The records the engine writes through: the SQL store on Node, an origin-forwarding store at the edge. */
export type DialogueRecords = Pick<ConversationRecords, 'conversationBySession' | 'openConversation' | 'addMessage' | 'updateConversation'>;

export interface EngineDeps {
  answerer: Answerer;
  sessions: SessionStore;
  records: DialogueRecords;
  logger: Logger;
  forms?: FormsPort;
  handoff?: HandoffPort;
  progress?: ProgressPort;
  /** Called after every turn (metrics, unanswered list). */
  onTurn?: (e: { reply: Reply; conversation: Conversation; question: string; answer?: AnswerResult }) => void | Promise<void>;
}

export interface Incoming {
  sessionId?: string | null;
  message: string;
  channel: string;
  /** Channel address (WeChat contact id …), kept for outbound messages. */
  contact?: string | null;
}

const YES = /^(好|好的|是|是的|可以|行|要|需要|嗯|嗯嗯|对|转|转吧|麻烦了|ok|yes)[啊呀吧的了!！。.\s]*$/i;
const NO = /^(不|不用|不要|不需要|算了|没事|不了|no)[啊呀吧的了!！。.\s]*$/i;

/**
 * The dialogue engine: one message in, one reply out, for every channel. It stores the citizen's
 * message first (nothing accepted is lost), routes by intent, and records the reply with the
 * evidence it rests on.
 */
export class DialogueEngine {
  constructor(private readonly deps: EngineDeps) {}

  /** Finds the session (memory/Redis, then the record of a previous run) or starts a new one. */
  async openSession(input: Pick<Incoming, 'sessionId' | 'channel' | 'contact'>): Promise<{ session: SessionState; conversation: Conversation }> {
    const { sessions, records } = this.deps;
    let id = input.sessionId ?? null;
    let session = id ? await sessions.get(id) : null;
    if (!session && id) {
      const stored = await records.conversationBySession(id);
      if (stored?.state) session = JSON.parse(stored.state) as SessionState;
      else if (!stored && !acceptableSessionId(id)) id = null;
    }
    if (!id) id = newSessionId();
    session ??= newSession(id, input.channel);
    const conversation = await records.openConversation(session.id, input.channel, input.contact);
    return { session, conversation };
  }

  async handle(input: Incoming): Promise<Reply> {
    const { session, conversation } = await this.openSession(input);
    const stored = await this.deps.records.addMessage({ conversationId: conversation.id, role: 'citizen', text: input.message });
    const text = this.resolveChoice(input.message.trim(), session);
    const analysis = await this.deps.answerer.analyze(text);
    const serviceNamed = analysis.result.guides[0]?.nameCoverage ?? 0;
    const intent = classifyIntent(text, { serviceNamed });
    const ctx: TurnContext = { session, conversation, channel: input.channel, intent, analysis, message: stored };
    session.recent = [...session.recent, maskPII(text)].slice(-5);

    let answer: AnswerResult | undefined;
    let turn: Turn;
    const handoff = this.deps.handoff ? await this.deps.handoff.status(conversation) : null;
    if (handoff && (handoff.status === 'waiting' || handoff.status === 'staff') && this.deps.handoff) {
      turn = await this.deps.handoff.citizenMessage(ctx, text);
    } else {
      const r = await this.route(ctx, text);
      turn = r.turn;
      answer = r.answer;
    }

    session.lastSuggestions = turn.suggestions ?? [];
    session.updatedAt = Date.now();
    let messageId = stored.id;
    if (!turn.silent) {
      const bot = await this.deps.records.addMessage({
        conversationId: conversation.id,
        role: 'bot',
        type: turn.type,
        text: turn.text,
        intent: intent.name,
        payload: { citations: turn.citations ?? [], suggestions: turn.suggestions ?? [], blocks: turn.blocks ?? [], form: turn.form ?? null, handoff: turn.handoff ?? null },
        evidence: turn.evidence ?? null,
      });
      messageId = bot.id;
    }
    await this.deps.sessions.save(session);
    await this.deps.records.updateConversation(conversation.id, { state: JSON.stringify(session), guide_id: session.guideId });

    const reply: Reply = {
      sessionId: session.id,
      messageId,
      type: turn.type,
      text: turn.text,
      citations: turn.citations ?? [],
      intent: { name: intent.name, confidence: Math.round(intent.confidence * 100) / 100 },
      suggestions: turn.suggestions ?? [],
      form: turn.form ?? null,
      handoff: turn.handoff ?? null,
      blocks: turn.blocks ?? [{ type: 'paragraph', text: turn.text }],
      ...(turn.ratingRequested ? { ratingRequested: true } : {}),
    };
    this.deps.logger.info({ conversationId: conversation.id, type: reply.type, intent: intent.name, rule: intent.rule }, 'turn');
    await this.deps.onTurn?.({ reply, conversation, question: text, answer });
    return reply;
  }

  /** "1", "2", "3" pick one of the last suggestions (WeChat and keyboards without lists). */
  private resolveChoice(text: string, session: SessionState): string {
    const m = /^[1-9]$/.exec(text.replace(/[。.\s]/g, ''));
    if (m && session.lastSuggestions[Number(m[0]) - 1]) return session.lastSuggestions[Number(m[0]) - 1];
    return text;
  }

  private async route(ctx: TurnContext, text: string): Promise<{ turn: Turn; answer?: AnswerResult }> {
    const { session, intent } = ctx;
    const { forms, handoff, progress } = this.deps;

    // Consent to an offered handoff ("需要转人工吗？" — "好的").
    if (session.handoffOffered) {
      session.handoffOffered = false;
      if (YES.test(text) && handoff) return { turn: await handoff.request(ctx, 'no_answer') };
      if (NO.test(text)) return { turn: { type: 'smalltalk', text: '好的。您可以换个说法再问我，或者问问其他事项。', suggestions: [] } };
    }

    if (session.formDraftId && forms) {
      const t = await forms.continue(ctx, text);
      if (t) return { turn: t };
    }

    switch (intent.name) {
      case 'handoff':
        if (handoff) return { turn: await handoff.request(ctx, 'handoff') };
        break;
      case 'complaint':
        if (forms) {
          const t = await forms.start(ctx, 'hotline-12345');
          if (t) return { turn: t };
        }
        if (handoff) return { turn: await handoff.request(ctx, 'complaint') };
        break;
      case 'progress':
        if (progress) return { turn: await progress.query(ctx, text) };
        break;
      case 'smalltalk':
        return { turn: this.smalltalk(text, session) };
      case 'apply': {
        const guideId = this.applyTarget(ctx);
        if (guideId && forms) {
          const t = await forms.start(ctx, guideId);
          if (t) return { turn: t };
        }
        break;
      }
      default:
        break;
    }
    return this.ask(ctx, text);
  }

  /** The guide an "apply" message names, or the one the conversation is about. */
  private applyTarget(ctx: TurnContext): string | null {
    const top = ctx.analysis.result.guides[0];
    if (top && top.nameCoverage >= 0.3) return top.guideId;
    return ctx.session.guideId;
  }

  private async ask(ctx: TurnContext, text: string): Promise<{ turn: Turn; answer: AnswerResult }> {
    const { session } = ctx;
    const a = await this.deps.answerer.answer(text, { currentGuideId: session.guideId, currentAspect: session.aspect }, ctx.analysis);
    if (a.guideId) {
      session.guideId = a.guideId;
      session.aspect = a.aspect;
    }
    let blocks = a.blocks;
    let suggestions = a.suggestions;
    if (a.type === 'no_answer') {
      session.noAnswerStreak++;
      if (session.noAnswerStreak >= 2 && this.deps.handoff) {
        // Second miss in a row: offer a person, and queue only on consent.
        session.handoffOffered = true;
        blocks = [...blocks.slice(0, -1), { type: 'paragraph', text: '看来我没能帮上忙，需要为您转接人工服务吗？请回复“好的”或“不用了”。' }];
        suggestions = ['好的', '不用了'];
      }
    } else if (a.type !== 'refusal') session.noAnswerStreak = 0;
    const reminder = session.formDraftId && this.deps.forms ? await this.deps.forms.reminder(ctx) : null;
    if (reminder) blocks = [...blocks, { type: 'paragraph', text: reminder }];
    return {
      answer: a,
      turn: {
        type: a.type,
        text: blocksToText(blocks),
        blocks,
        citations: a.citations,
        suggestions,
        evidence: {
          chunks: a.evidence,
          ranking: ctx.analysis.result.guides.slice(0, 5).map((g) => g.guideId),
          confidence: a.confidence,
          reason: a.reason,
          guideId: a.guideId,
          aspect: a.aspect,
        },
      },
    };
  }

  private smalltalk(text: string, session: SessionState): Turn {
    const examples = ['身份证丢了怎么办', '宝宝出生怎么上户口', '租房提取公积金要什么材料'];
    if (/谢|辛苦|帮大忙|再见|拜拜|bye|88|先这样|晚安/i.test(text)) {
      const ask = !session.ratingRequested;
      session.ratingRequested = true;
      return {
        type: 'smalltalk',
        text: ask ? '不客气，很高兴能帮到您！欢迎对本次服务进行评价（非常满意、满意、基本满意、不满意、非常不满意）。' : '不客气，有问题随时问我。',
        suggestions: [],
        ratingRequested: ask,
      };
    }
    if (/你是谁|你叫什么|你是什么|你能做什么|你会什么|能干|介绍|机器人|人工智能|ai|真人|几岁/i.test(text)) {
      return {
        type: 'smalltalk',
        text: `我是示例市政务服务智能助手，可以根据官方办事指南告诉您办事需要什么材料、去哪里办、多久办好、收不收费，还能帮您预填申请表。${STAFF_OFFER}`,
        suggestions: examples,
      };
    }
    if (/^(好的|好|行|ok|okay|嗯|哦|知道了|明白了|懂了|收到|了解|没问题|可以了|好吧)/i.test(text.trim())) {
      return { type: 'smalltalk', text: '好的，还有什么可以帮您？', suggestions: [] };
    }
    return {
      type: 'smalltalk',
      text: `您好！我是示例市政务服务助手。请直接说您想办的事，比如“${examples[0]}”。${STAFF_OFFER}`,
      suggestions: examples,
    };
  }
}

import type { Answerer, AnswerResult, Analysis, Citation } from '../answer/answerer.js';
import { outOfScope } from '../answer/scope.js';
import type { SafetyCategory } from '../safety/filter.js';
import { safetyTurn } from '../safety/replies.js';
import { STAFF_OFFER } from '../answer/answerer.js';
import { blocksToText, type Block } from '../answer/blocks.js';
import type { Logger } from '../platform/logger.js';
import { maskPII } from '../platform/pii.js';
import { newId } from '../records/ids.js';
import type { ConversationRecords, StoredMessage } from '../records/store.js';
import type { Conversation } from '../records/schema.js';
import type { AspectKey } from '../kb/aspects.js';
import { classifyIntent, intentSignals, type Intent } from './intent.js';
import { LEVEL_CHOICES, ratingFromText, type RatingLevel } from '../ratings/levels.js';
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
  /** What the message turned out to be, when the capability knows better (an answer to a form question is applying). */
  intent?: Intent;
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

/** 好差评 given in the conversation, in words ("满意"), after the assistant asked for it. */
export interface RatingPort {
  /** Records the rating of the session's conversation; the text thanks the citizen (and says what happens to a 差评). */
  rate(ctx: TurnContext, level: RatingLevel, comment: string | null): Promise<Turn>;
}

/** Case progress queries (办件进度). */
export interface ProgressPort {
  query(ctx: TurnContext, text: string): Promise<Turn>;
  /** A message while a query waits for its case number or phone digits; null: not for it. */
  continue?(ctx: TurnContext, text: string): Promise<Turn | null>;
}

/** A language model's contribution to one turn, kept in the bot message's evidence (`llm`). */
export type LanguageEvidence = Record<string, unknown> & { outcome: string };

/** An answer phrased by the language model and checked against the sections it cites. */
export interface Phrased {
  text: string;
  blocks: Block[];
  citations: Citation[];
}

/**
 * The optional language model (src/llm). Each method returns null when it does not apply, and
 * falls back on its own (timeout, error, failed check): the turn never waits for it beyond its limit.
 */
export interface LanguagePort {
  readonly model: string;
  /** A standalone question for a follow-up on the current guide ("那要多久"); question null: keep the citizen's words. */
  rewrite(input: { text: string; guideId: string; aspect: AspectKey | null; recent: string[]; analysis: Analysis; conversationId: string }): Promise<{ question: string | null; evidence: LanguageEvidence } | null>;
  /** A second opinion when the rules only defaulted to "ask"; intent null: keep the rules' intent. */
  checkIntent(input: { text: string; intent: Intent; guideId: string | null; conversationId: string }): Promise<{ intent: Intent | null; evidence: LanguageEvidence } | null>;
  /** The extractive answer phrased by the model from its guide's sections; phrased null: send the extractive answer. */
  phrase(input: { question: string; answer: AnswerResult; conversationId: string; onToken?: (text: string) => void | Promise<void> }): Promise<{ phrased: Phrased | null; evidence: LanguageEvidence } | null>;
}

/** Receives a reply while the language model writes it (the SSE channel). */
export interface ReplyStream {
  /** The reply's type is decided and the model starts writing its text. */
  start(meta: { sessionId: string; type: ReplyType; intent: Reply['intent'] }): void | Promise<void>;
  /** A piece of the model's text as it arrives: provisional until the reply has been checked. */
  token(text: string): void | Promise<void>;
  /** What was streamed will not be the reply (failed check, timeout …); reason is a short code. */
  withdraw(reason: string): void | Promise<void>;
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
  ratings?: RatingPort;
  /** The optional language model (LLM_BASE_URL). */
  language?: LanguagePort;
  /** The sensitive-word filter (src/safety): refuses abuse, fraud and violence, masks abuse in replies. */
  safety?: SafetyPort;
  /**
   * Called on every turn as its reply is written (metrics, unanswered list): what it writes joins
   * the reply's commit instead of waiting for it. The turn waits for the hook as for its own writes.
   */
  onTurn?: (e: { reply: Reply; conversation: Conversation; question: string; answer?: AnswerResult }) => void | Promise<void>;
}

export interface SafetyPort {
  inspect(text: string): { refused: SafetyCategory | null; matches: { word: string }[] };
  cleanOutput(text: string): string;
  /** Told of each refusal (metrics). */
  onRefused?: (category: SafetyCategory) => void;
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
    const fresh = !id;
    if (!id) id = newSessionId();
    session ??= newSession(id, input.channel);
    const conversation = await records.openConversation(session.id, input.channel, input.contact, { fresh });
    // The record is saved every turn; a live copy older than it (Redis missed saves while away) gives way.
    if (conversation.state) {
      const recorded = JSON.parse(conversation.state) as SessionState;
      if (recorded.id === session.id && recorded.updatedAt > session.updatedAt) session = recorded;
    }
    return { session, conversation };
  }

  async handle(input: Incoming, stream?: ReplyStream): Promise<Reply> {
    const { session, conversation } = await this.openSession(input);
    // Stored before anything else (a message accepted is a message kept); the turn's last write touches the conversation.
    const stored = await this.deps.records.addMessage({ conversationId: conversation.id, role: 'citizen', text: input.message }, { touch: false });
    const text = this.resolveChoice(input.message.trim(), session);
    const analysis = await this.deps.answerer.analyze(text);
    const classified = classifyIntent(text, intentSignals(analysis.result));
    const ctx: TurnContext = { session, conversation, channel: input.channel, intent: classified, analysis, message: stored };
    session.recent = [...session.recent, maskPII(text)].slice(-5);

    let answer: AnswerResult | undefined;
    let turn: Turn;
    const handoff = this.deps.handoff ? await this.deps.handoff.status(conversation) : null;
    // Refused words are looked at only while the bot answers: a member of staff reads for themselves.
    const talking = handoff && (handoff.status === 'waiting' || handoff.status === 'staff') && this.deps.handoff;
    const unsafe = talking ? null : this.deps.safety?.inspect(text);
    const refused = talking || !this.deps.safety ? null : (unsafe?.refused ?? (outOfScope(text) === 'abuse' ? 'abuse' : null));
    if (talking) {
      turn = await this.deps.handoff!.citizenMessage(ctx, text);
    } else if (refused) {
      this.deps.safety!.onRefused?.(refused);
      turn = safetyTurn(refused, session, !!this.deps.handoff, unsafe?.matches.map((m) => m.word) ?? []);
    } else {
      // Form answers and yes/no to an offer are read by their own steps, not re-classified.
      const checked = this.deps.language && !session.formDraftId && !session.handoffOffered ? await this.deps.language.checkIntent({ text, intent: classified, guideId: session.guideId, conversationId: conversation.id }) : null;
      if (checked?.intent) ctx.intent = checked.intent;
      const r = await this.route(ctx, text, stream);
      if (checked) r.turn.evidence = withLanguage(r.turn.evidence, 'intent', checked.evidence, this.deps.language!.model);
      turn = r.turn;
      answer = r.answer;
    }
    if (this.deps.safety) {
      const safety = this.deps.safety;
      const clean = (t: string) => safety.cleanOutput(t);
      turn = { ...turn, text: clean(turn.text), ...(turn.blocks ? { blocks: turn.blocks.map((b) => (b.type === 'list' ? { ...b, items: b.items.map(clean) } : { ...b, text: clean(b.text) })) } : {}) };
    }
    // A capability may know better what the message was (an answer to a form question is applying).
    if (turn.intent) ctx.intent = turn.intent;

    session.lastSuggestions = turn.suggestions ?? [];
    session.updatedAt = Date.now();
    // The reply, the session and the conversation's state are written together (one commit, not three in a row).
    const botId = turn.silent ? null : newId('m');
    const writes = Promise.all([
      botId &&
        this.deps.records.addMessage(
          {
            id: botId,
            conversationId: conversation.id,
            role: 'bot',
            type: turn.type,
            text: turn.text,
            intent: ctx.intent.name,
            payload: { citations: turn.citations ?? [], suggestions: turn.suggestions ?? [], blocks: turn.blocks ?? [], form: turn.form ?? null, handoff: turn.handoff ?? null },
            evidence: turn.evidence ?? null,
          },
          { touch: false },
        ),
      this.deps.sessions.save(session),
      this.deps.records.updateConversation(conversation.id, { state: JSON.stringify(session), guide_id: session.guideId }),
    ]);

    const reply: Reply = {
      sessionId: session.id,
      messageId: botId ?? stored.id,
      type: turn.type,
      text: turn.text,
      citations: turn.citations ?? [],
      intent: { name: ctx.intent.name, confidence: Math.round(ctx.intent.confidence * 100) / 100 },
      suggestions: turn.suggestions ?? [],
      form: turn.form ?? null,
      // Once a handoff is asked for, every reply says where it stands (a turn may say it ended: null).
      handoff: turn.handoff === undefined ? handoff : turn.handoff,
      blocks: turn.blocks ?? [{ type: 'paragraph', text: turn.text }],
      ...(turn.ratingRequested ? { ratingRequested: true } : {}),
    };
    this.deps.logger.info({ conversationId: conversation.id, type: reply.type, intent: ctx.intent.name, rule: ctx.intent.rule }, 'turn');
    // Issued in the same turn of the event loop as the writes above, so an unanswered question is
    // stored in the reply's commit (SQLite) rather than in a third round trip after it.
    await Promise.all([writes, this.deps.onTurn?.({ reply, conversation, question: text, answer })]);
    return reply;
  }

  /** "1", "2", "3" pick one of the last suggestions (WeChat and keyboards without lists). */
  private resolveChoice(text: string, session: SessionState): string {
    const m = /^[1-9]$/.exec(text.replace(/[。.\s]/g, ''));
    if (m && session.lastSuggestions[Number(m[0]) - 1]) return session.lastSuggestions[Number(m[0]) - 1];
    return text;
  }

  private async route(ctx: TurnContext, text: string, stream?: ReplyStream): Promise<{ turn: Turn; answer?: AnswerResult }> {
    const { session, intent } = ctx;
    const { forms, handoff, progress } = this.deps;

    // Consent to an offered handoff ("需要转人工吗？" — "好的").
    if (session.handoffOffered) {
      session.handoffOffered = false;
      if (YES.test(text) && handoff) return { turn: await handoff.request(ctx, 'no_answer') };
      if (NO.test(text)) return { turn: { type: 'smalltalk', text: '好的。您可以换个说法再问我，或者问问其他事项。', suggestions: [] } };
    }

    if (session.progress?.pending && progress?.continue) {
      const t = await progress.continue(ctx, text);
      if (t) return { turn: t };
    }

    if (session.formDraftId && forms) {
      const t = await forms.continue(ctx, text);
      if (t) return { turn: t };
    }

    // The answer to "欢迎对本次服务进行评价": one of the five names, maybe with a comment.
    const rating = session.ratingRequested && this.deps.ratings ? ratingFromText(text) : null;
    if (rating) {
      session.ratingRequested = false;
      return { turn: await this.deps.ratings!.rate(ctx, rating.level, rating.comment) };
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
    return this.ask(ctx, text, stream);
  }

  /** The guide an "apply" message names, or the one the conversation is about. */
  private applyTarget(ctx: TurnContext): string | null {
    const top = ctx.analysis.result.guides[0];
    if (top && top.nameCoverage >= 0.3) return top.guideId;
    // A message that also carries details ("我要办居住证，我叫张三…"): a service named in full.
    const named = ctx.analysis.result.guides.slice(0, 3).find((g) => g.nameRecall >= 0.99);
    return named?.guideId ?? ctx.session.guideId;
  }

  private async ask(ctx: TurnContext, text: string, stream?: ReplyStream): Promise<{ turn: Turn; answer: AnswerResult }> {
    const { session } = ctx;
    const { language } = this.deps;
    const llm: Record<string, LanguageEvidence> = {};
    // With a model, a follow-up is rewritten into a standalone question before retrieval.
    let question = text;
    let analysis = ctx.analysis;
    const rewritten = language && session.guideId
      ? await language.rewrite({ text, guideId: session.guideId, aspect: session.aspect, recent: session.recent.slice(0, -1), analysis, conversationId: ctx.conversation.id })
      : null;
    if (rewritten) {
      llm.rewrite = rewritten.evidence;
      if (rewritten.question) {
        question = rewritten.question;
        analysis = await this.deps.answerer.analyze(question);
      }
    }
    const a = await this.deps.answerer.answer(question, { currentGuideId: session.guideId, currentAspect: session.aspect }, analysis);
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
    // Only a decided, cited answer is phrased by the model; its text is checked before it is used.
    let phrased: Phrased | null = null;
    if (language && a.type === 'answer') {
      let started = false;
      const onToken = stream
        ? async (t: string) => {
            if (!started) {
              started = true;
              await stream.start({ sessionId: session.id, type: a.type, intent: { name: ctx.intent.name, confidence: Math.round(ctx.intent.confidence * 100) / 100 } });
            }
            await stream.token(t);
          }
        : undefined;
      const p = await language.phrase({ question, answer: a, conversationId: ctx.conversation.id, onToken });
      if (p) {
        llm.answer = p.evidence;
        phrased = p.phrased;
      }
      if (started && !phrased) await stream!.withdraw(p?.evidence.outcome ?? 'error');
    }
    if (phrased) blocks = phrased.blocks;
    const reminder = session.formDraftId && this.deps.forms ? await this.deps.forms.reminder(ctx) : null;
    if (reminder) blocks = [...blocks, { type: 'paragraph', text: reminder }];
    return {
      answer: a,
      turn: {
        type: a.type,
        // A phrased text is sent as the model wrote it (what was streamed is its beginning).
        text: phrased ? [phrased.text, reminder].filter(Boolean).join('\n') : blocksToText(blocks),
        blocks,
        citations: phrased?.citations ?? a.citations,
        suggestions,
        evidence: {
          chunks: a.evidence,
          ranking: analysis.result.guides.slice(0, 5).map((g) => g.guideId),
          confidence: a.confidence,
          reason: a.reason,
          guideId: a.guideId,
          aspect: a.aspect,
          ...(language ? { llm: { model: language.model, used: Object.keys(llm).length > 0, ...llm } } : {}),
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
        suggestions: ask && this.deps.ratings ? LEVEL_CHOICES : [],
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

/** Adds one language-model contribution to a turn's evidence, under `llm`. */
function withLanguage(evidence: unknown, task: string, e: LanguageEvidence, model: string): unknown {
  const base = evidence && typeof evidence === 'object' ? (evidence as Record<string, unknown>) : {};
  const llm = (base.llm as Record<string, unknown> | undefined) ?? { model, used: false };
  return { ...base, llm: { ...llm, used: true, [task]: e } };
}

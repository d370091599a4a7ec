import { DialogueEngine, type EngineDeps, type FormsPort, type HandoffPort, type Incoming, type ProgressPort, type TurnContext } from '../dialogue/engine.js';
import type { Intent } from '../dialogue/intent.js';
import type { Reply } from '../dialogue/reply.js';
import type { SessionState } from '../dialogue/session.js';
import { AppError } from '../platform/errors.js';
import type { Conversation } from '../records/schema.js';
import { OriginUnavailable, type OriginClient } from './origin.js';
import type { EdgeRecords } from './records.js';

/** Thrown by the edge's ports: this turn needs the origin (handoff, forms, case progress). */
export class OriginRequired extends Error {
  constructor(readonly intent: Intent) {
    super('this turn is handled by the origin');
    this.name = 'OriginRequired';
  }
}

const needOrigin = async (ctx: TurnContext): Promise<never> => {
  throw new OriginRequired(ctx.intent);
};

/**
 * The engine's ports at the edge. Everything that needs Redis or the SQL records — a handoff, a
 * form draft, a case query — is the origin's: the port hands the whole turn over. The engine decides
 * when a port is needed exactly as on the origin, so the edge forwards exactly those turns.
 */
export const originPorts: { forms: FormsPort; handoff: HandoffPort; progress: ProgressPort } = {
  forms: { start: needOrigin, continue: needOrigin, reminder: async () => null },
  // A conversation the origin holds never reaches the edge's engine (EdgeDialogue forwards it first).
  handoff: { status: async () => null, request: needOrigin, citizenMessage: needOrigin },
  progress: { query: needOrigin },
};

export const ORIGIN_UNAVAILABLE_TEXT = '抱歉，人工服务和在线办理暂时连接不上。您的留言已经记下，请稍后再试，或拨打 12345 政务服务便民热线。';

/**
 * The dialogue engine at the edge: the same engine (same routing, same answers) over KV sessions
 * and edge records, with the origin's turns handed over. A turn the origin handles goes to its
 * POST /api/chat after the conversation's earlier turns have been delivered to it; from then on the
 * origin owns the conversation and every later message of the session goes straight there.
 */
export class EdgeDialogue extends DialogueEngine {
  /** Which session and conversation a handle() call opened (the same Incoming object reaches openSession). */
  private readonly opened = new WeakMap<Incoming, { sessionId: string; conversationId: string }>();

  constructor(
    private readonly edge: Omit<EngineDeps, 'records' | 'forms' | 'handoff' | 'progress'> & { records: EdgeRecords; origin: OriginClient },
  ) {
    super({ ...edge, ...originPorts });
  }

  override async openSession(input: Pick<Incoming, 'sessionId' | 'channel' | 'contact'>): Promise<{ session: SessionState; conversation: Conversation }> {
    const r = await super.openSession(input);
    this.opened.set(input as Incoming, { sessionId: r.session.id, conversationId: r.conversation.id });
    return r;
  }

  override async handle(input: Incoming): Promise<Reply> {
    const { records } = this.edge;
    return records.runTurn(async () => {
      const owned = input.sessionId ? await records.ownedByOrigin(input.sessionId) : null;
      if (input.sessionId && owned) return this.toOrigin(input, input.sessionId, owned, null);
      try {
        return await super.handle(input);
      } catch (e) {
        const opened = this.opened.get(input);
        if (e instanceof OriginRequired && opened) {
          records.discard(opened.conversationId); // the origin records this turn itself
          return this.toOrigin(input, opened.sessionId, opened.conversationId, e.intent);
        }
        // Keep what was accepted (the citizen's message) even when the turn failed.
        if (opened) records.commit(opened.conversationId);
        throw e;
      }
    });
  }

  private async toOrigin(input: Incoming, sessionId: string, conversationId: string | null, intent: Intent | null): Promise<Reply> {
    const { records, origin, logger } = this.edge;
    try {
      if (conversationId) await records.deliver(conversationId);
      const reply = await origin.chat({ sessionId, message: input.message, channel: input.channel });
      await records.markOrigin(reply.sessionId);
      return reply;
    } catch (e) {
      if (e instanceof AppError) throw e;
      logger.warn({ err: e, unavailable: e instanceof OriginUnavailable }, 'origin unavailable for a turn it owns; message kept');
      return this.unavailable(input, sessionId, intent);
    }
  }

  /** The origin is down: say so kindly, and keep the message (it reaches the origin's records later). */
  private async unavailable(input: Incoming, sessionId: string, intent: Intent | null): Promise<Reply> {
    const { records } = this.edge;
    const conversation = await records.openConversation(sessionId, input.channel, input.contact);
    await records.addMessage({ conversationId: conversation.id, role: 'citizen', text: input.message });
    const blocks = [{ type: 'paragraph' as const, text: ORIGIN_UNAVAILABLE_TEXT }];
    const bot = await records.addMessage({
      conversationId: conversation.id,
      role: 'bot',
      type: 'no_answer',
      text: ORIGIN_UNAVAILABLE_TEXT,
      intent: intent?.name ?? null,
      payload: { citations: [], suggestions: [], blocks, form: null, handoff: null },
      evidence: { reason: 'origin unavailable at the edge' },
    });
    records.commit(conversation.id);
    return {
      sessionId,
      messageId: bot.id,
      type: 'no_answer',
      text: ORIGIN_UNAVAILABLE_TEXT,
      citations: [],
      intent: { name: intent?.name ?? 'handoff', confidence: intent ? Math.round(intent.confidence * 100) / 100 : 0 },
      suggestions: [],
      form: null,
      handoff: null,
      blocks,
    };
  }
}

import type { EngineDeps } from '../dialogue/engine.js';
import type { Logger } from '../platform/logger.js';
import type { UnansweredQuestions } from './unanswered.js';

/**
 * The engine's onTurn hook for the unanswered list: every no_answer reply lands in it, with the
 * guide retrieval came closest to. A failure here is logged, never passed to the citizen.
 */
export function unansweredOnTurn(unanswered: UnansweredQuestions, logger: Logger): NonNullable<EngineDeps['onTurn']> {
  return async ({ reply, conversation, question, answer }) => {
    if (reply.type !== 'no_answer') return;
    try {
      await unanswered.record({ conversationId: conversation.id, messageId: reply.messageId, question, reason: 'no_answer', guideId: answer?.evidence[0]?.guideId ?? null });
    } catch (e) {
      logger.error({ err: e, conversationId: conversation.id }, 'could not record an unanswered question');
    }
  };
}

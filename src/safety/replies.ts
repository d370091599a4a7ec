import type { Turn } from '../dialogue/engine.js';
import type { SessionState } from '../dialogue/session.js';
import type { SafetyCategory } from './filter.js';

/** Abusive messages in one session after which a person is offered instead of another refusal. */
export const ABUSE_BEFORE_HANDOFF = 3;

const TEXT: Record<SafetyCategory, string> = {
  abuse: '您的心情我理解，请您文明用语，我会尽力帮您。请告诉我具体想办什么事，比如“身份证丢了怎么补办”。',
  fraud: '抱歉，伪造证件、骗取补贴等违法行为我不能提供帮助。如果您遇到了诈骗，请拨打 110 或 96110 反诈专线。您可以问我正规的办事流程。',
  violence: '如果您或身边的人正面临危险，请立即拨打 110。我是政务服务助手，如果遇到困难，可以回复“转人工”请工作人员帮您。',
};

const OFFER = '我理解您现在很着急，很抱歉没能帮上忙。需要为您转接人工服务吗？请回复“好的”或“不用了”。';

/**
 * The calm reply to a refused message. Abuse is counted per session: the third time, instead of
 * another refusal, a member of staff is offered (an angry citizen usually has a real problem).
 */
export function safetyTurn(category: SafetyCategory, session: SessionState & { abuseCount?: number }, canHandoff: boolean, words: string[]): Turn {
  const evidence = { safety: { category, words } };
  const intent = { name: 'out_of_scope' as const, confidence: 0.95, rule: `safety: ${category}` };
  if (category === 'abuse') {
    session.abuseCount = (session.abuseCount ?? 0) + 1;
    if (session.abuseCount >= ABUSE_BEFORE_HANDOFF && canHandoff) {
      session.abuseCount = 0;
      session.handoffOffered = true;
      return { type: 'refusal', text: OFFER, suggestions: ['好的', '不用了'], evidence, intent };
    }
  }
  return { type: 'refusal', text: TEXT[category], suggestions: [], evidence, intent };
}

import { maskPII } from '../platform/pii.js';
import { PRIORITY_TEXT, type PriorityReason } from './priority.js';
import type { HandoffSummary } from './queue.js';
import type { HandoffReason } from './state.js';

export const REASON_TEXT: Record<HandoffReason, string> = {
  handoff: '要求转人工',
  no_answer: '智能助手未能解答',
  complaint: '投诉',
  rating: '差评后求助',
};

/** What staff read in the queue: why, for whom first, about which service, the last questions. */
export function buildSummary(input: {
  reason: HandoffReason;
  questions: string[];
  guideId: string | null;
  guideTitle: string | null;
  formDraftId: string | null;
  priorityReasons: PriorityReason[];
}): HandoffSummary {
  const questions = [...new Set(input.questions.map((q) => maskPII(q).slice(0, 200)))].slice(-5);
  const tags = input.priorityReasons.filter((r) => r !== 'complaint' || input.reason !== 'complaint').map((r) => `【${PRIORITY_TEXT[r]}】`);
  const about = input.guideTitle ? `「${input.guideTitle}」` : '';
  const last = questions.length ? `：${questions.slice(-3).join('；')}` : '';
  const draft = input.formDraftId ? '（有预填表单）' : '';
  return {
    text: `${tags.join('')}${REASON_TEXT[input.reason]}${about ? ` ${about}` : ''}${draft}${last}`.slice(0, 300),
    questions,
    guideId: input.guideId,
    guideTitle: input.guideTitle,
    formDraftId: input.formDraftId,
    priorityReasons: input.priorityReasons,
  };
}

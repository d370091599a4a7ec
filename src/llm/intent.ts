import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { displayTitle } from '../answer/compose.js';
import { outOfScope } from '../answer/scope.js';
import type { LanguageEvidence } from '../dialogue/engine.js';
import type { Intent, IntentName } from '../dialogue/intent.js';
import type { KnowledgeBase } from '../kb/load.js';
import { maskPII } from '../platform/pii.js';
import { ModelCalls, Rejected, textOf, visibleText } from './call.js';
import type { Prompts } from './prompts.js';

/** Labels the model may give; apply and out_of_scope stay with the rules (a form started or a refusal on a guess would cost the citizen). */
const LABELS = ['ask', 'handoff', 'complaint', 'progress', 'smalltalk'] as const satisfies readonly IntentName[];

export interface IntentCheckerOptions {
  model: BaseChatModel;
  prompts: Prompts;
  kb: () => KnowledgeBase;
  calls: ModelCalls;
  timeoutMs: number;
}

export function parseLabel(out: string): (typeof LABELS)[number] | null {
  const m = new RegExp(`\\b(${LABELS.join('|')})\\b`, 'i').exec(out);
  return m ? (m[1].toLowerCase() as (typeof LABELS)[number]) : null;
}

/**
 * The intent check: when no rule matched and the message names no service (the rules could only
 * default to "ask"), the model gives a second opinion — a complaint or a wish for a person put in
 * words the rules do not know. Not tried on a follow-up about the current guide (rewriting
 * handles those) or on anything the rules recognised.
 */
export class IntentChecker {
  constructor(private readonly o: IntentCheckerOptions) {}

  async check(input: { text: string; intent: Intent; guideId: string | null; conversationId: string }): Promise<{ intent: Intent | null; evidence: LanguageEvidence } | null> {
    const { intent } = input;
    if (intent.rule !== 'default' || intent.confidence >= 0.7 || input.guideId || outOfScope(input.text)) return null;
    const guide = input.guideId ? this.o.kb().byId.get(input.guideId) : undefined;
    const messages = await this.o.prompts.intent.formatMessages({ guide_title: guide ? displayTitle(guide) : '（尚未谈到具体事项）', question: maskPII(input.text) });
    const r = await this.o.calls.run('intent', this.o.timeoutMs, input.conversationId, async (signal) => {
      const label = parseLabel(visibleText(textOf(await this.o.model.invoke(messages, { signal }))));
      if (!label) throw new Rejected('invalid', 'invalid');
      return label;
    });
    if (!r.ok) return { intent: null, evidence: { outcome: r.outcome, reason: r.reason, ms: r.ms, ...(r.status ? { status: r.status } : {}) } };
    const changed = r.value !== intent.name;
    return {
      intent: changed ? { name: r.value, confidence: 0.7, rule: 'language model' } : null,
      evidence: { outcome: 'ok', label: r.value, changed, ms: r.ms },
    };
  }
}

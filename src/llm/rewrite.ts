import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Analysis } from '../answer/answerer.js';
import { displayTitle } from '../answer/compose.js';
import { outOfScope } from '../answer/scope.js';
import type { LanguageEvidence } from '../dialogue/engine.js';
import { ASPECT_LABEL, type AspectKey } from '../kb/aspects.js';
import type { KnowledgeBase } from '../kb/load.js';
import { maskPII } from '../platform/pii.js';
import { ModelCalls, Rejected, textOf, visibleText } from './call.js';
import type { Prompts } from './prompts.js';

export interface RewriterOptions {
  model: BaseChatModel;
  prompts: Prompts;
  kb: () => KnowledgeBase;
  calls: ModelCalls;
  timeoutMs: number;
}

/** The model's one line, without quotes or a label; null when it is not a usable question. */
export function tidyRewrite(out: string): string | null {
  const line = out
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  if (!line) return null;
  const q = line
    .replace(/^(改写后的问题|改写后|改写|问题|输出|答)[:：]\s*/, '')
    .replace(/^[“"'「『]+|[”"'」』]+$/g, '')
    .trim();
  if ([...q].length < 2 || [...q].length > 80 || !/\p{Script=Han}/u.test(q) || /<<<|>>>/.test(q)) return null;
  return q;
}

/**
 * Follow-up rewriting: "那要多久" while the conversation is about 港澳通行证 becomes
 * "往来港澳通行证办理要多久" before retrieval. Not tried when the message names its own
 * service or is out of scope (an instruction to the assistant is refused as written). On any
 * failure the citizen's words are used, silently (counted and logged).
 */
export class FollowUpRewriter {
  constructor(private readonly o: RewriterOptions) {}

  async rewrite(input: { text: string; guideId: string; aspect: AspectKey | null; recent: string[]; analysis: Analysis; conversationId: string }): Promise<{ question: string | null; evidence: LanguageEvidence } | null> {
    const guide = this.o.kb().byId.get(input.guideId);
    if (!guide || outOfScope(input.text)) return null;
    const top = input.analysis.result.guides[0];
    if (top && top.nameRecall >= 0.8 && top.nameCoverage >= 0.5) return null;
    const asked = maskPII(input.text);
    const messages = await this.o.prompts.rewrite.formatMessages({
      guide_title: displayTitle(guide),
      last_topic: input.aspect ? ASPECT_LABEL[input.aspect] : '事项概况',
      history: input.recent.length ? input.recent.map((q) => `- ${q}`).join('\n') : '（无）',
      question: asked,
    });
    const r = await this.o.calls.run('rewrite', this.o.timeoutMs, input.conversationId, async (signal) => {
      const q = tidyRewrite(visibleText(textOf(await this.o.model.invoke(messages, { signal }))));
      if (!q) throw new Rejected('invalid', 'invalid');
      return q;
    });
    if (!r.ok) return { question: null, evidence: { outcome: r.outcome, reason: r.reason, ms: r.ms, ...(r.status ? { status: r.status } : {}) } };
    if (r.value === asked || r.value === input.text) return { question: null, evidence: { outcome: 'unchanged', ms: r.ms } };
    return { question: r.value, evidence: { outcome: 'ok', to: maskPII(r.value), ms: r.ms } };
  }
}

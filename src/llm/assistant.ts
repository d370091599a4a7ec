import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { LanguageEvidence, LanguagePort } from '../dialogue/engine.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Logger } from '../platform/logger.js';
import { llmFallbacks } from '../platform/metrics.js';
import { ModelCalls } from './call.js';
import { IntentChecker } from './intent.js';
import { createChatModel, type LlmSettings } from './model.js';
import { GroundedPhraser } from './phrase.js';
import { loadPrompts, type Prompts } from './prompts.js';
import { FollowUpRewriter } from './rewrite.js';

/** The language model as the dialogue engine uses it: rewriting, intent check, phrasing — each switchable (LLM_FEATURES). */
export class LanguageAssistant implements LanguagePort {
  readonly model: string;
  private readonly rewriter: FollowUpRewriter;
  private readonly intents: IntentChecker;
  private readonly phraser: GroundedPhraser;

  constructor(
    private readonly settings: LlmSettings,
    chat: BaseChatModel,
    prompts: Prompts,
    kb: () => KnowledgeBase,
    private readonly logger: Logger,
  ) {
    this.model = settings.model;
    const calls = new ModelCalls(logger);
    const base = { model: chat, prompts, kb, calls };
    this.rewriter = new FollowUpRewriter({ ...base, timeoutMs: settings.quickTimeoutMs });
    this.intents = new IntentChecker({ ...base, timeoutMs: settings.quickTimeoutMs });
    this.phraser = new GroundedPhraser({ ...base, timeoutMs: settings.timeoutMs });
  }

  rewrite(input: Parameters<LanguagePort['rewrite']>[0]) {
    if (!this.settings.features.has('rewrite')) return Promise.resolve(null);
    return this.guard('rewrite', input.conversationId, () => this.rewriter.rewrite(input), (evidence) => ({ question: null, evidence }));
  }

  checkIntent(input: Parameters<LanguagePort['checkIntent']>[0]) {
    if (!this.settings.features.has('intent')) return Promise.resolve(null);
    return this.guard('intent', input.conversationId, () => this.intents.check(input), (evidence) => ({ intent: null, evidence }));
  }

  phrase(input: Parameters<LanguagePort['phrase']>[0]) {
    if (!this.settings.features.has('answer')) return Promise.resolve(null);
    return this.guard('answer', input.conversationId, () => this.phraser.phrase(input), (evidence) => ({ phrased: null, evidence }));
  }

  /** The model is optional: whatever goes wrong around it (a bug, a prompt that will not fill), the turn goes on without it. */
  private async guard<T>(task: 'rewrite' | 'intent' | 'answer', conversationId: string, step: () => Promise<T>, fallback: (e: LanguageEvidence) => T): Promise<T> {
    try {
      return await step();
    } catch (err) {
      llmFallbacks.inc({ task, reason: 'error' });
      this.logger.error({ err, task, conversationId }, 'language model step failed');
      return fallback({ outcome: 'error', reason: 'error' });
    }
  }
}

/** The assistant for configured settings: prompts loaded and checked now, so a broken prompt stops start-up. */
export function createLanguageAssistant(settings: LlmSettings, kb: () => KnowledgeBase, logger: Logger, chat?: BaseChatModel): LanguageAssistant {
  const prompts = loadPrompts(settings.promptsDir);
  logger.info({ model: settings.model, features: [...settings.features], prompts: settings.promptsDir, timeoutMs: settings.timeoutMs }, 'language model configured');
  return new LanguageAssistant(settings, chat ?? createChatModel(settings), prompts, kb, logger);
}

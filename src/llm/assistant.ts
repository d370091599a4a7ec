import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { LanguagePort } from '../dialogue/engine.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Logger } from '../platform/logger.js';
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
    logger: Logger,
  ) {
    this.model = settings.model;
    const calls = new ModelCalls(logger);
    const base = { model: chat, prompts, kb, calls };
    this.rewriter = new FollowUpRewriter({ ...base, timeoutMs: settings.quickTimeoutMs });
    this.intents = new IntentChecker({ ...base, timeoutMs: settings.quickTimeoutMs });
    this.phraser = new GroundedPhraser({ ...base, timeoutMs: settings.timeoutMs });
  }

  rewrite(input: Parameters<LanguagePort['rewrite']>[0]) {
    return this.settings.features.has('rewrite') ? this.rewriter.rewrite(input) : Promise.resolve(null);
  }

  checkIntent(input: Parameters<LanguagePort['checkIntent']>[0]) {
    return this.settings.features.has('intent') ? this.intents.check(input) : Promise.resolve(null);
  }

  phrase(input: Parameters<LanguagePort['phrase']>[0]) {
    return this.settings.features.has('answer') ? this.phraser.phrase(input) : Promise.resolve(null);
  }
}

/** The assistant for configured settings: prompts loaded and checked now, so a broken prompt stops start-up. */
export function createLanguageAssistant(settings: LlmSettings, kb: () => KnowledgeBase, logger: Logger, chat?: BaseChatModel): LanguageAssistant {
  const prompts = loadPrompts(settings.promptsDir);
  logger.info({ model: settings.model, features: [...settings.features], prompts: settings.promptsDir, timeoutMs: settings.timeoutMs }, 'language model configured');
  return new LanguageAssistant(settings, chat ?? createChatModel(settings), prompts, kb, logger);
}

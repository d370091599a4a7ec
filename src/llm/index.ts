export { LanguageAssistant, createLanguageAssistant } from './assistant.js';
export { checkReply, type CheckResult, type SourceSection } from './check.js';
export { createChatModel, llmSettings, type LlmSettings } from './model.js';
export { loadPrompts, PromptError, PROMPT_VARIABLES, type Prompts } from './prompts.js';

import type { Config } from '../config.js';

// Kept apart from the model code so that start-up without a model never loads LangChain.
export type LlmFeature = 'rewrite' | 'intent' | 'answer';

/** How the optional language model is reached and bounded (LLM_* variables). */
export interface LlmSettings {
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Time limit of a phrased answer. */
  timeoutMs: number;
  /** Time limit of a follow-up rewrite or an intent check. */
  quickTimeoutMs: number;
  temperature: number;
  maxTokens: number;
  features: ReadonlySet<LlmFeature>;
  promptsDir: string;
}

/** The settings, or null when no model is configured (LLM_BASE_URL unset): everything stays extractive. */
export function llmSettings(config: Config): LlmSettings | null {
  if (!config.LLM_BASE_URL) return null;
  return {
    baseUrl: config.LLM_BASE_URL,
    model: config.LLM_MODEL,
    apiKey: config.LLM_API_KEY,
    timeoutMs: config.LLM_TIMEOUT_MS,
    quickTimeoutMs: config.LLM_REWRITE_TIMEOUT_MS,
    temperature: config.LLM_TEMPERATURE,
    maxTokens: config.LLM_MAX_TOKENS,
    features: new Set(config.LLM_FEATURES as LlmFeature[]),
    promptsDir: config.PROMPTS_DIR,
  };
}

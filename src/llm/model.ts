import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config.js';

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

/**
 * A chat model on any OpenAI-compatible endpoint (vLLM, Xinference, Ollama, LM Studio, a
 * provider's API), behind LangChain's BaseChatModel so another provider's class can stand in.
 * No retries: a slow or refusing model costs one attempt, then the extractive answer is sent.
 */
export function createChatModel(s: LlmSettings): BaseChatModel {
  return new ChatOpenAI({
    model: s.model,
    // Local servers often need no key; the client insists on one, and must not fall back to OPENAI_API_KEY.
    apiKey: s.apiKey || 'not-needed',
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    maxRetries: 0,
    // A backstop only: every call is also cut off by its own deadline (src/llm/call.ts).
    timeout: Math.max(s.timeoutMs, s.quickTimeoutMs) + 1000,
    // stream_options is unknown to some OpenAI-compatible servers.
    streamUsage: false,
    configuration: { baseURL: s.baseUrl },
  });
}

import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';

export { llmSettings, type LlmFeature, type LlmSettings } from './settings.js';
import type { LlmSettings } from './settings.js';

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

import type { AIMessageChunk } from '@langchain/core/messages';
import type { Logger } from '../platform/logger.js';
import { llmDuration, llmFallbacks, llmRequests } from '../platform/metrics.js';
import type { LlmFeature } from './model.js';

/**
 * ok: the model answered and its output was used; rejected: it answered, the grounding check
 * refused it; invalid: it answered something unusable (an empty or rambling rewrite, an unknown
 * label); timeout, rate_limited (429), error: no usable answer came.
 */
export type Outcome = 'ok' | 'rejected' | 'invalid' | 'timeout' | 'rate_limited' | 'error';

export type CallResult<T> =
  | { ok: true; value: T; ms: number }
  | { ok: false; outcome: Exclude<Outcome, 'ok'>; reason: string; ms: number; status?: number; detail?: string };

/**
 * Thrown inside a call when the model's output is refused: `rejected` when a reply fails the
 * grounding check (even mid-stream, which ends the stream), `invalid` when it is unusable.
 */
export class Rejected extends Error {
  constructor(
    readonly outcome: 'rejected' | 'invalid',
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(`${outcome}: ${reason}`);
    this.name = 'Rejected';
  }
}

/** The text of a model message (string content, or the text parts of a list). */
export function textOf(m: Pick<AIMessageChunk, 'content'>): string {
  if (typeof m.content === 'string') return m.content;
  return m.content.map((p) => (typeof p === 'string' ? p : p.type === 'text' && 'text' in p ? String(p.text) : '')).join('');
}

/**
 * A reasoning model's answer without its <think>…</think> preamble (Qwen3, DeepSeek-R1 served by
 * vLLM or Ollama): '' while that preamble is still being written. Grows as `raw` grows.
 */
export function visibleText(raw: string): string {
  const t = raw.trimStart();
  if ('<think>'.startsWith(t)) return '';
  if (!t.startsWith('<think>')) return raw;
  const end = t.indexOf('</think>');
  return end < 0 ? '' : t.slice(end + '</think>'.length);
}

function classify(e: unknown): { outcome: 'timeout' | 'rate_limited' | 'error'; status?: number; name: string } {
  const err = e as { name?: string; status?: number; lc_error_code?: string; response?: { status?: number } };
  const status = typeof err?.status === 'number' ? err.status : err?.response?.status;
  const name = err?.name ?? typeof e;
  if (status === 429 || err?.lc_error_code === 'MODEL_RATE_LIMIT') return { outcome: 'rate_limited', status: 429, name };
  if (name === 'TimeoutError') return { outcome: 'timeout', status, name };
  return { outcome: 'error', status, name };
}

/**
 * Every call to the model goes through here: a hard deadline (the call's signal is aborted and
 * its promise abandoned), one outcome counted and timed in the metrics, and a warning logged on
 * every fallback — with the task, reason, status and conversation id, never the citizen's words.
 */
export class ModelCalls {
  constructor(private readonly logger: Logger) {}

  async run<T>(task: LlmFeature, timeoutMs: number, conversationId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<CallResult<T>> {
    const controller = new AbortController();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, timeoutMs);
    });
    const work = fn(controller.signal);
    work.catch(() => {}); // abandoned after a timeout: its rejection is expected
    try {
      const first = await Promise.race([work.then((value) => ({ value })), deadline]);
      const ms = Math.round(performance.now() - started);
      if (first === 'timeout') return this.failed(task, conversationId, { ok: false, outcome: 'timeout', reason: 'timeout', ms });
      this.count(task, 'ok', ms);
      return { ok: true, value: first.value, ms };
    } catch (e) {
      const ms = Math.round(performance.now() - started);
      if (e instanceof Rejected) return this.failed(task, conversationId, { ok: false, outcome: e.outcome, reason: e.reason, detail: e.detail, ms });
      const c = controller.signal.aborted ? { outcome: 'timeout' as const, name: 'AbortError', status: undefined } : classify(e);
      return this.failed(task, conversationId, { ok: false, outcome: c.outcome, reason: c.outcome, status: c.status, ms }, c.name);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private count(task: LlmFeature, outcome: Outcome, ms: number) {
    llmRequests.inc({ task, outcome });
    llmDuration.observe({ task, outcome }, ms / 1000);
  }

  private failed(task: LlmFeature, conversationId: string, r: Extract<CallResult<never>, { ok: false }>, error?: string): CallResult<never> {
    this.count(task, r.outcome, r.ms);
    llmFallbacks.inc({ task, reason: r.reason });
    this.logger.warn({ task, outcome: r.outcome, reason: r.reason, status: r.status, error, conversationId, ms: r.ms }, 'language model not used');
    return r;
  }
}

import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics: one registry that every capability adds its metrics to and
 * that GET /metrics will expose. Module-level because metrics are per process, not per app.
 */
export const registry = new Registry();
registry.setDefaultLabels({ app: 'govchat' });

/** Language-model calls by task (rewrite, intent, answer) and outcome (ok, timeout, rate_limited, error, invalid, rejected). */
export const llmRequests = new Counter({
  name: 'govchat_llm_requests_total',
  help: 'Language model calls by task and outcome',
  labelNames: ['task', 'outcome'] as const,
  registers: [registry],
});

/** Times the extractive path (or the citizen's own words) was used because the model's output could not be. */
export const llmFallbacks = new Counter({
  name: 'govchat_llm_fallbacks_total',
  help: 'Language model fallbacks by task and reason (timeout, rate_limited, error, invalid, and each grounding-check failure)',
  labelNames: ['task', 'reason'] as const,
  registers: [registry],
});

export const llmDuration = new Histogram({
  name: 'govchat_llm_duration_seconds',
  help: 'Duration of language model calls by task and outcome',
  labelNames: ['task', 'outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
  registers: [registry],
});

/** Current value of a counter for one label set (tests, the eval). */
export async function counterValue(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await counter.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

/** HTTP requests by method, route pattern (never the raw path: ids would explode the series) and status. */
export const httpRequests = new Counter({
  name: 'govchat_http_requests_total',
  help: 'HTTP requests by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});
export const httpDuration = new Histogram({
  name: 'govchat_http_request_duration_seconds',
  help: 'Time to the response headers by method and route pattern (a stream counts until it starts)',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
/** Replies by type (answer, no_answer, refusal, handoff …) and channel. */
export const answers = new Counter({
  name: 'govchat_answers_total',
  help: 'Replies by type and channel',
  labelNames: ['type', 'channel'] as const,
  registers: [registry],
});
export const retrievalDuration = new Histogram({
  name: 'govchat_retrieval_duration_seconds',
  help: 'Hybrid retrieval (aspect detection, BM25 and vector search, fusion) per question',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});
/** Requests refused by a limit: address, session or event streams. */
export const limitRefusals = new Counter({
  name: 'govchat_limit_refusals_total',
  help: 'Requests refused with 429 or 413 by limit',
  labelNames: ['limit'] as const,
  registers: [registry],
});
/** Refusals by the content-safety filter, by category. */
export const safetyRefusals = new Counter({
  name: 'govchat_safety_refusals_total',
  help: 'Messages refused by the sensitive-word filter, by category',
  labelNames: ['category'] as const,
  registers: [registry],
});

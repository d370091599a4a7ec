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

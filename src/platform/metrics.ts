import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
/** SQLite (src/records/sqlite-thread.ts): what every write of a request waits for, and how many statements share a commit. */
export const sqliteBatchDuration = new Histogram({
  name: 'govchat_sqlite_batch_seconds',
  help: 'SQLite: from handing a group of statements to the database thread to its commit told',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
});
export const sqliteStatements = new Counter({
  name: 'govchat_sqlite_statements_total',
  help: 'SQLite: statements run in groups by the database thread (with govchat_sqlite_batch_seconds_count: statements a commit)',
  registers: [registry],
});
/** Questions analysed, from the answer cache (hit) or worked out (miss); retrieval latency counts only the misses. */
export const answerCache = new Counter({
  name: 'govchat_answer_cache_total',
  help: 'Question analyses served from the answer cache (hit) or worked out (miss)',
  labelNames: ['result'] as const,
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

/** How long citizens waited from asking for a person to being taken over, by department. */
export const handoffWait = new Histogram({
  name: 'govchat_handoff_wait_seconds',
  help: 'Wait from a handoff request to a member of staff claiming it, by department',
  labelNames: ['department'] as const,
  buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  registers: [registry],
});

export interface QueueFigures {
  department: string;
  length: number;
  /** Seconds the longest-waiting citizen of the queue has waited (0 when empty). */
  longestWaitSeconds: number;
}

let queueSource: (() => Promise<QueueFigures[]>) | null = null;

/** The process's handoff queues, read when /metrics is scraped (the last services made win: one per process). */
export function observeQueues(source: () => Promise<QueueFigures[]>): void {
  queueSource = source;
}

async function queueFigures(): Promise<QueueFigures[]> {
  try {
    return queueSource ? await queueSource() : [];
  } catch {
    return []; // Redis away: the scrape still answers, without queue figures
  }
}

export const queueLength = new Gauge({
  name: 'govchat_handoff_queue_length',
  help: 'Conversations waiting for a member of staff, by department',
  labelNames: ['department'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const q of await queueFigures()) this.set({ department: q.department }, q.length);
  },
});

export const queueLongestWait = new Gauge({
  name: 'govchat_handoff_longest_wait_seconds',
  help: 'How long the longest-waiting citizen of each queue has waited',
  labelNames: ['department'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    for (const q of await queueFigures()) this.set({ department: q.department }, q.longestWaitSeconds);
  },
});

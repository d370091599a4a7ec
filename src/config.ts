import { z } from 'zod';
import { parseHours, parseMinutes, parsePerDepartment, validTimeZone } from './handoff/hours.js';

/**
 * Every environment variable govchat reads, with its default and meaning. `.env.example` is
 * generated from this list (`npm run env:example`) and a test keeps the two in step.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = (protocols: RegExp, hint: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, hint);

/** A per-department setting ("default=…;公安=…"), checked here so a typo stops start-up. */
const perDepartment = (parseValue: (v: string) => unknown) =>
  z.string().superRefine((v, ctx) => {
    try {
      parsePerDepartment(v, parseValue);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });
const minutesOr = (v: string, ctx: z.RefinementCtx): number => {
  try {
    return parseMinutes(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
};

interface Var {
  schema: z.ZodType;
  default?: string;
  doc: string;
  group: string;
  /** Never echoed in errors: it may hold a password. */
  secret?: boolean;
}

export const VARS = {
  PORT: { group: 'Server', schema: int(0, 65535), default: '3000', doc: 'HTTP port.' },
  HOST: { group: 'Server', schema: z.string().min(1), default: '0.0.0.0', doc: 'Interface to listen on.' },
  PUBLIC_URL: {
    group: 'Server',
    schema: url(/^https?:$/, 'an http(s) URL such as https://assistant.example.gov.cn'),
    doc: 'Public base URL of this server, used in links sent to WeChat and in form drafts. Default: http://localhost:PORT.',
  },
  LOG_LEVEL: {
    group: 'Server',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'Log level (JSON logs on stdout, personal data masked).',
  },
  SHUTDOWN_TIMEOUT_MS: { group: 'Server', schema: int(0, 600_000), default: '10000', doc: 'How long a graceful shutdown waits for in-flight work.' },
  KNOWLEDGE_DIR: { group: 'Knowledge base', schema: z.string().min(1), default: 'knowledge', doc: 'The knowledge base: guides, FAQ, forms, dictionary.' },
  KNOWLEDGE_EXTRA_DIRS: {
    group: 'Knowledge base',
    schema: list,
    default: '',
    doc: 'Comma-separated extra knowledge roots whose guides/ and faq/ are loaded too (e.g. an import: data/imported/gdzwfw).',
  },
  DATA_DIR: { group: 'Knowledge base', schema: z.string().min(1), default: 'data', doc: 'Where the embedded database, built indexes and uploads are kept.' },
  KB_UPLOAD_MAX_BYTES: { group: 'Knowledge base', schema: int(1024, 1_000_000_000), default: '52428800', doc: 'Largest file an admin may upload in the console for import (gdzwfw JSON lines, FAQ CSV/XLSX).' },
  EMBEDDINGS_URL: {
    group: 'Retrieval',
    schema: url(/^https?:$/, 'the base URL of an OpenAI-compatible server, e.g. http://10.0.0.5:9997/v1'),
    doc: 'OpenAI-compatible embeddings endpoint (Xinference, Ollama, vLLM, TEI …). Unset: the embedded embedder, no model needed.',
  },
  EMBEDDINGS_MODEL: { group: 'Retrieval', schema: z.string().min(1), default: 'bge-m3', doc: 'Model name sent to EMBEDDINGS_URL.' },
  EMBEDDINGS_API_KEY: { secret: true, group: 'Retrieval', schema: z.string(), doc: 'Bearer key for EMBEDDINGS_URL, if it needs one.' },
  EMBEDDINGS_BATCH: { group: 'Retrieval', schema: int(1, 2048), default: '64', doc: 'Texts per embeddings request.' },
  EMBEDDINGS_TIMEOUT_MS: { group: 'Retrieval', schema: int(100, 600_000), default: '15000', doc: 'Timeout of one embeddings request.' },
  EMBEDDINGS_RETRIES: { group: 'Retrieval', schema: int(0, 10), default: '2', doc: 'Retries of a failed embeddings request (with backoff).' },
  ANSWER_MIN_SCORE: {
    group: 'Retrieval',
    schema: z.coerce.number().min(0).max(1),
    default: '0.5',
    doc: 'Confidence below which the assistant says it does not know instead of answering.',
  },
  ANSWER_CACHE_SIZE: {
    group: 'Retrieval',
    schema: int(0, 1_000_000),
    default: '2000',
    doc: 'Distinct questions whose retrieval and answer (and the reply texts, checked for abusive words) are kept for when they are asked again (least recently asked dropped first); 0 turns the cache off.',
  },
  CASES_API_URL: {
    group: 'Progress queries',
    schema: url(/^https?:$/, 'the base URL of the case-handling system, e.g. https://cases.example.gov.cn/api'),
    doc: 'Case-handling system for progress queries (办件进度): POST <url>/cases/lookup, see README. Unset: demo cases (CASES_DEMO).',
  },
  CASES_API_TOKEN: { secret: true, group: 'Progress queries', schema: z.string().min(1), doc: 'Bearer token sent to CASES_API_URL, if it needs one.' },
  CASES_API_TIMEOUT_MS: { group: 'Progress queries', schema: int(100, 120_000), default: '5000', doc: 'How long one case-system request may take before the citizen is told it is unavailable.' },
  CASES_API_RETRIES: { group: 'Progress queries', schema: int(0, 5), default: '2', doc: 'Retries of a case-system request that failed with 429, 5xx or a connection error (with backoff).' },
  CASES_DEMO: {
    group: 'Progress queries',
    schema: bool,
    default: 'true',
    doc: 'Without CASES_API_URL, answer progress queries from the demo cases in KNOWLEDGE_DIR/demo/cases.json (marked as demo). Set false in production.',
  },
  REDIS_URL: {
    secret: true,
    group: 'Shared backends',
    schema: url(/^rediss?:$/, 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379'),
    doc: 'Redis for handoff queues, live sessions, rate limits and cross-instance events. Unset: in memory, one process.',
  },
  REDIS_PREFIX: { group: 'Shared backends', schema: z.string().regex(/^[\w:.-]+$/, 'letters, digits, _ : . -'), default: 'govchat', doc: 'Key prefix in Redis.' },
  DATABASE_URL: {
    secret: true,
    group: 'Shared backends',
    schema: url(/^postgres(ql)?:$/, 'a postgres:// URL such as postgres://user@127.0.0.1:5432/govchat'),
    doc: 'PostgreSQL for records. Unset: SQLite file DATA_DIR/govchat.sqlite.',
  },
  DATABASE_CONNECT_RETRY_SECONDS: {
    group: 'Shared backends',
    schema: int(0, 3600),
    default: '30',
    doc: 'How long start-up keeps retrying a PostgreSQL that is not reachable yet before giving up with a clear error (0: no retry).',
  },
  RETENTION_DAYS: { group: 'Shared backends', schema: int(1, 36_500), default: '180', doc: 'Conversations older than this are purged by the worker (the law asks for at least 180).' },
  RATE_LIMIT_IP_PER_MIN: { group: 'Limits', schema: int(1, 1_000_000), default: '120', doc: 'Requests per client address per minute.' },
  RATE_LIMIT_SESSION_PER_MIN: { group: 'Limits', schema: int(1, 1_000_000), default: '30', doc: 'Chat messages per session per minute (web chat and both WeChat channels; WeChat users are told in the chat to wait).' },
  MAX_MESSAGE_CHARS: { group: 'Limits', schema: int(10, 100_000), default: '500', doc: 'Longest citizen message accepted (413 beyond).' },
  MAX_BODY_BYTES: { group: 'Limits', schema: int(1024, 50_000_000), default: '65536', doc: 'Largest JSON request body (413 beyond).' },
  SSE_MAX_PER_IP: { group: 'Limits', schema: int(1, 100_000), default: '20', doc: 'Open event streams (SSE) one client address may hold on one instance (429 beyond).' },
  METRICS_TOKEN: {
    secret: true,
    group: 'Server',
    schema: z.string().min(16, 'at least 16 characters'),
    doc: 'When set, GET /metrics needs "Authorization: Bearer <token>" (Prometheus bearer_token). Unset: /metrics is open; keep it inside the network.',
  },
  TRUST_PROXY: {
    group: 'Limits',
    schema: bool,
    default: 'false',
    doc: 'Take the client address from X-Forwarded-For / X-Real-IP (set true only behind a reverse proxy that sets them; otherwise clients could dodge the per-address limit).',
  },
  GOVCHAT_SECRET: {
    secret: true,
    group: 'Staff',
    schema: z.string().min(16, 'at least 16 characters'),
    doc: 'Signs staff tokens; share it between instances. Unset: a random secret per process (tokens die with it).',
  },
  GOVCHAT_ADMIN_PASSWORD: {
    secret: true,
    group: 'Staff',
    schema: z.string().min(8, 'at least 8 characters'),
    doc: 'On start, if no admin exists, the account "admin" is created with this password.',
  },
  STAFF_TOKEN_TTL_HOURS: { group: 'Staff', schema: int(1, 24 * 90), default: '12', doc: 'How long a staff login (token and session cookie) lasts.' },
  STAFF_LOCKOUT_ATTEMPTS: { group: 'Staff', schema: int(1, 1000), default: '5', doc: 'Wrong passwords in a row that lock a staff account.' },
  STAFF_LOCKOUT_MINUTES: { group: 'Staff', schema: int(1, 24 * 60), default: '15', doc: 'How long a locked staff account stays locked.' },
  FOLLOWUP_DUE_DAYS: { group: 'Staff', schema: int(1, 365), default: '7', doc: 'Days a department has to check, act on and answer a 差评 (poor rating).' },
  WIDGET_ORIGINS: { group: 'Staff', schema: list, default: '', doc: 'Comma-separated origins allowed to call the API from a browser (CORS).' },
  LLM_BASE_URL: {
    group: 'Language model (optional)',
    schema: url(/^https?:$/, 'the base URL of an OpenAI-compatible chat server, e.g. http://10.0.0.5:8000/v1'),
    doc: 'OpenAI-compatible chat endpoint (vLLM, Xinference, Ollama, a provider API …) to rewrite follow-ups and phrase answers from the guides. Unset: answers stay extractive.',
  },
  LLM_MODEL: { group: 'Language model (optional)', schema: z.string().min(1), default: 'qwen2.5-7b-instruct', doc: 'Model name sent to LLM_BASE_URL.' },
  LLM_API_KEY: { secret: true, group: 'Language model (optional)', schema: z.string(), doc: 'Bearer key for LLM_BASE_URL, if it needs one.' },
  LLM_TIMEOUT_MS: {
    group: 'Language model (optional)',
    schema: int(50, 120_000),
    default: '8000',
    doc: 'Time limit of a phrased answer; beyond it (or on an error or 429) the extractive answer is sent.',
  },
  LLM_REWRITE_TIMEOUT_MS: {
    group: 'Language model (optional)',
    schema: int(50, 120_000),
    default: '3000',
    doc: 'Time limit of a follow-up rewrite or an intent check; beyond it the citizen\'s own words are used.',
  },
  LLM_TEMPERATURE: { group: 'Language model (optional)', schema: z.coerce.number().min(0).max(2), default: '0.2', doc: 'Sampling temperature (low: plain and stable).' },
  LLM_MAX_TOKENS: { group: 'Language model (optional)', schema: int(16, 32_768), default: '1024', doc: 'Longest reply the model may write, in tokens.' },
  LLM_FEATURES: {
    group: 'Language model (optional)',
    schema: list.pipe(z.array(z.enum(['rewrite', 'intent', 'answer'], 'each of rewrite, intent, answer'))),
    default: 'rewrite,intent,answer',
    doc: 'What the model is used for: rewrite (follow-ups), intent (second opinion when rules are unsure), answer (phrasing, checked).',
  },
  PROMPTS_DIR: { group: 'Language model (optional)', schema: z.string().min(1), default: 'prompts', doc: 'Prompt templates (system, answer, rewrite, intent .txt), checked at start-up.' },
  HANDOFF_HOURS: {
    group: 'Handoff',
    schema: perDepartment(parseHours),
    default: 'default=always',
    doc: 'Staffed hours per department, e.g. "default=Mon-Fri 09:00-17:00;公安=Mon-Sat 08:30-12:00,13:30-17:30" ("always", "never"). Outside them a citizen asking for a person is offered to leave a message.',
  },
  HANDOFF_TIMEZONE: { group: 'Handoff', schema: z.string().refine(validTimeZone, 'an IANA time zone such as Asia/Shanghai'), default: 'Asia/Shanghai', doc: 'Time zone of HANDOFF_HOURS.' },
  HANDOFF_MAX_WAIT_MINUTES: {
    group: 'Handoff',
    schema: perDepartment(parseMinutes),
    default: '10',
    doc: 'Wait after which a queued conversation is escalated (priority up, staff notified); per department as "default=10;公安=5". Decimals allowed.',
  },
  HANDOFF_LEFT_MESSAGE_AFTER_MINUTES: {
    group: 'Handoff',
    schema: perDepartment(parseMinutes),
    default: '5',
    doc: 'Further wait after the escalation before the citizen is offered to leave a message and a phone number instead.',
  },
  HANDOFF_IDLE_CLOSE_MINUTES: {
    group: 'Handoff',
    schema: z.string().transform((v, ctx) => minutesOr(v, ctx)),
    default: '15',
    doc: 'A conversation held by staff with no message for this long is closed with a notice (and a left-message offer left unanswered ends).',
  },
  HANDOFF_GENERAL_DEPARTMENT: { group: 'Handoff', schema: z.string().trim().min(1).max(32), default: '综合', doc: 'Queue for conversations about no particular department.' },
  HANDOFF_DEFAULT_HANDLING_SECONDS: {
    group: 'Handoff',
    schema: int(10, 86_400),
    default: '240',
    doc: 'Assumed time staff spend on one conversation until enough have been handled to measure it (for the estimated wait).',
  },
  HANDOFF_SWEEP_SECONDS: { group: 'Handoff', schema: int(5, 86_400), default: '60', doc: 'How often the worker reconciles the queues with the database (lost jobs, missed timers).' },
  WORKER_CONCURRENCY: { group: 'Workers', schema: int(1, 256), default: '4', doc: 'Jobs one worker process runs at once.' },
  WORKER_LOCK_MS: { group: 'Workers', schema: int(200, 600_000), default: '30000', doc: 'Lock of a running job; a worker that dies holding it loses the lock after this and the job runs elsewhere.' },
  WORKER_STALLED_INTERVAL_MS: { group: 'Workers', schema: int(100, 600_000), default: '30000', doc: 'How often workers look for jobs whose worker died (stalled jobs) and put them back.' },
  WORKER_MAX_STALLED: { group: 'Workers', schema: int(0, 100), default: '3', doc: 'Times a job may be recovered from a dead worker before it is failed.' },
  EDGE_INGEST_TOKEN: {
    secret: true,
    group: 'Edge',
    schema: z.string().min(16, 'at least 16 characters'),
    doc: 'Shared with the Cloudflare Workers edge (wrangler secret put EDGE_INGEST_TOKEN): the origin accepts the records of turns answered at the edge on POST /api/edge/records with this bearer token. Unset: that route is off.',
  },
  WECHAT_MP_TOKEN: {
    secret: true,
    group: 'WeChat',
    schema: z.string().regex(/^[A-Za-z0-9]{3,32}$/, '3 to 32 letters or digits, as set in the Official Account console'),
    doc: 'Token of the Official Account (公众号) server configuration; signs every request to /api/wechat/mp. Unset: the webhook answers 404.',
  },
  WECHAT_MP_AES_KEY: {
    secret: true,
    group: 'WeChat',
    schema: z.string().regex(/^[A-Za-z0-9]{43}$/, 'the 43-character EncodingAESKey from the Official Account console'),
    doc: 'EncodingAESKey of the Official Account, for 安全模式 / 兼容模式 (messages encrypted); needs WECHAT_MP_APPID. Unset: 明文模式 only.',
  },
  WECHAT_MP_APPID: { group: 'WeChat', schema: z.string().regex(/^wx[0-9a-f]{16}$/i, 'an AppID such as wx1234567890abcdef'), doc: 'AppID of the Official Account, for the customer-service messages (slow answers, staff replies, long answers).' },
  WECHAT_MP_SECRET: { secret: true, group: 'WeChat', schema: z.string().min(16, 'the AppSecret from the Official Account console'), doc: 'AppSecret of the Official Account (fetches the access token).' },
  WECHAT_API_BASE: { group: 'WeChat', schema: url(/^https?:$/, 'an http(s) URL such as https://api.weixin.qq.com'), default: 'https://api.weixin.qq.com', doc: 'Base URL of the WeChat API (token and customer-service message endpoints).' },
  WECHAT_MP_REPLY_TIMEOUT_MS: {
    group: 'WeChat',
    schema: int(100, 4500),
    default: '4000',
    doc: 'How long the webhook waits for an answer before replying "success" and sending the answer as a customer-service message (WeChat allows 5 s).',
  },
  WECHATY_PUPPET: { group: 'WeChat', schema: z.string().regex(/^(@[\w.-]+\/)?wechaty-puppet-[\w.-]+$/, 'a puppet package name such as wechaty-puppet-service'), doc: 'Wechaty puppet for npm run wechat: wechaty-puppet-service (with its token; comes with wechaty), another installed puppet, or wechaty-puppet-mock for a trial without an account.' },
  WECHATY_PUPPET_SERVICE_TOKEN: { secret: true, group: 'WeChat', schema: z.string().min(1), doc: 'Token of the puppet service (wechaty-puppet-service), if the puppet needs one.' },
} satisfies Record<string, Var>;

type Vars = typeof VARS;
type Parsed<K extends keyof Vars> = Vars[K] extends { default: string } ? z.output<Vars[K]['schema']> : z.output<Vars[K]['schema']> | undefined;
export type Config = { [K in keyof Vars]: Parsed<K> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment into a typed config; every wrong value is named in the error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(VARS) as [string, Var][]) {
    const raw = env[name] === undefined || env[name] === '' ? v.default : env[name];
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    const r = v.schema.safeParse(raw);
    if (r.success) out[name] = r.data;
    else {
      const shown = v.secret ? '(value hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown}: ${r.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  if (out.WECHAT_MP_AES_KEY && !out.WECHAT_MP_APPID) problems.push('WECHAT_MP_AES_KEY is set but WECHAT_MP_APPID is not: encrypted messages name the AppID they are for');
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** The text of `.env.example`, generated from VARS so it can never fall behind. */
export function envExample(): string {
  const lines = ['# govchat configuration. Every variable is optional; the value shown is the default.', ''];
  let group = '';
  for (const [name, v] of Object.entries(VARS) as [string, Var][]) {
    if (v.group !== group) {
      group = v.group;
      lines.push(`# --- ${group} ---`);
    }
    lines.push(`# ${v.doc}`);
    lines.push(v.default === undefined ? `# ${name}=` : `${name}=${v.default}`);
  }
  return lines.join('\n') + '\n';
}

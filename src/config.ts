import { z } from 'zod';

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
  RETENTION_DAYS: { group: 'Shared backends', schema: int(1, 36_500), default: '180', doc: 'Conversations older than this are purged by the worker (the law asks for at least 180).' },
  RATE_LIMIT_IP_PER_MIN: { group: 'Limits', schema: int(1, 1_000_000), default: '120', doc: 'Requests per client address per minute.' },
  RATE_LIMIT_SESSION_PER_MIN: { group: 'Limits', schema: int(1, 1_000_000), default: '30', doc: 'Chat messages per session per minute.' },
  MAX_MESSAGE_CHARS: { group: 'Limits', schema: int(10, 100_000), default: '500', doc: 'Longest citizen message accepted (413 beyond).' },
  MAX_BODY_BYTES: { group: 'Limits', schema: int(1024, 50_000_000), default: '65536', doc: 'Largest JSON request body (413 beyond).' },
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
  WIDGET_ORIGINS: { group: 'Staff', schema: list, default: '', doc: 'Comma-separated origins allowed to call the API from a browser (CORS).' },
  EDGE_INGEST_TOKEN: {
    secret: true,
    group: 'Edge',
    schema: z.string().min(16, 'at least 16 characters'),
    doc: 'Shared with the Cloudflare Workers edge (wrangler secret put EDGE_INGEST_TOKEN): the origin accepts the records of turns answered at the edge on POST /api/edge/records with this bearer token. Unset: that route is off.',
  },
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

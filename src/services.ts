import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { consoleImportRoot } from './console/paths.js';
import type { MiddlewareHandler } from 'hono';
import { Answerer } from './answer/answerer.js';
import type { Config } from './config.js';
import { DialogueEngine } from './dialogue/engine.js';
import { FormDrafts, FormFiller, loadFormSpecs, type FormSpecs } from './forms/index.js';
import { ProgressAssistant, createCaseSystem, type CaseSystem } from './progress/index.js';
import { MemorySessionStore, RedisSessionStore, ResilientSessionStore, type SessionStore } from './dialogue/session.js';
import { createHandoff, type Handoff } from './handoff/index.js';
import type { KnowledgeBase } from './kb/load.js';
import type { AppEnv } from './platform/http.js';
import type { Logger } from './platform/logger.js';
import type { RedisConnections } from './platform/redis.js';
import { RequestLimits, limitSettings } from './platform/limits.js';
import { MemorySlidingWindow, RedisSlidingWindow } from './platform/rate-limit.js';
import { httpMetrics } from './platform/http-metrics.js';
import { answerCache, answers, limitRefusals, observeQueues, retrievalDuration, safetyRefusals, sqliteBatchDuration, sqliteStatements } from './platform/metrics.js';
import { SensitiveWordFilter, loadWordLists } from './safety/index.js';
import type { ReadinessCheck } from './platform/health.js';
import { sql } from 'kysely';
import { departmentsOf } from './handoff/index.js';
import type { OpenedDatabase } from './records/db.js';
import { openDatabaseWithRetry } from './records/connect.js';
import { ConversationRecords } from './records/store.js';
import { Library, defaultIndexDir } from './search/library.js';
import type { LanguageAssistant } from './llm/index.js';
import { llmSettings } from './llm/settings.js';
import { createStaffAccounts, type StaffModule } from './staff/index.js';
import { unansweredOnTurn } from './analytics/hooks.js';
import { Exports } from './analytics/export.js';
import { Analytics } from './analytics/stats.js';
import { UnansweredQuestions } from './analytics/unanswered.js';
import { Followups } from './ratings/followups.js';
import { Ratings } from './ratings/ratings.js';
import { ratingPort } from './ratings/port.js';
import { createWechatChannel, type WechatChannel } from './channels/wechat/index.js';

/** Everything the app needs, behind interfaces: embedded or Redis/PostgreSQL implementations. */
/** The form a complaint fills (投诉/举报/建议 → 12345 工单). */
export const COMPLAINT_FORM = 'hotline-12345';

export interface Services {
  config: Config;
  logger: Logger;
  library: Library;
  knowledge(): KnowledgeBase;
  answerer: Answerer;
  database: OpenedDatabase;
  records: ConversationRecords;
  sessions: SessionStore;
  engine: DialogueEngine;
  /** The optional language model; null unless LLM_BASE_URL is set. */
  language: LanguageAssistant | null;
  /** Form specs (knowledge/forms) and the drafts made from them. */
  formSpecs: FormSpecs;
  drafts: FormDrafts;
  /** The case-handling system for progress queries; null when none is configured. */
  cases: CaseSystem | null;
  /** Redis connections when REDIS_URL is set. */
  redis: RedisConnections | null;
  handoff: Handoff;
  /** Staff accounts, authentication (StaffAuthenticator) and the audit log (AuditSink). */
  staff: StaffModule;
  /** 好差评 ratings and their 差评 follow-ups. */
  ratings: Ratings;
  followups: Followups;
  /** Unanswered and poorly rated questions, grouped for the knowledge-base editors. */
  unanswered: UnansweredQuestions;
  analytics: Analytics;
  exports: Exports;
  /** Edge only (src/edge.ts): sends origin-only routes (handoff, forms, ratings, staff, session events) to the origin before any route runs. */
  forwardToOrigin?: MiddlewareHandler<AppEnv>;
  /** The WeChat channel: contact sessions, outbound queues for staff replies, Official Account API. */
  wechat: WechatChannel;
  /** Body size, per-address and per-session rate limits (in Redis when configured), event streams per address. */
  limits: RequestLimits;
  /** Counts requests and latency by route pattern for /metrics (the origin only: the edge has no prom-client). */
  observe?: MiddlewareHandler<AppEnv>;
  /** What GET /readyz checks: the search index, the database, Redis when configured. */
  readiness(): ReadinessCheck[];
  /** Set by a graceful shutdown: /readyz answers 503 so load balancers stop sending traffic. */
  lifecycle: { draining: boolean };
  close(): Promise<void>;
}

export function knowledgeRoots(config: Config): string[] {
  // What admins imported through the console (src/console) is knowledge too, once it exists.
  const imported = consoleImportRoot(config.DATA_DIR);
  return [config.KNOWLEDGE_DIR, ...config.KNOWLEDGE_EXTRA_DIRS, ...(existsSync(imported) ? [imported] : [])];
}

export interface ServiceOverrides {
  /** Use this library instead of opening one (tests share one across apps). */
  library?: Library;
  /** PostgreSQL schema (tests). */
  databaseSchema?: string;
  /** SQLite file (tests); default DATA_DIR/govchat.sqlite. */
  sqlitePath?: string;
  /** The clock forms resolve 明天 / 下周一 against (tests fix the day). */
  clock?: () => Date;
  /** Use this case system instead of the configured one (tests). */
  cases?: CaseSystem | null;
  /** PostgreSQL URL (tests): overrides config.DATABASE_URL. */
  databaseUrl?: string;
  /** Clock for handoff timers, ratings, follow-ups, unanswered questions, analytics and staff sessions (tests move it instead of sleeping). */
  now?: () => number;
}

export async function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}): Promise<Services> {
  // The database opens while the knowledge base loads: SQLite's thread starts (some 0.1 s), PostgreSQL is reached.
  const opening = openDatabaseWithRetry(
    {
      url: overrides.databaseUrl ?? config.DATABASE_URL,
      sqlitePath: overrides.sqlitePath ?? join(config.DATA_DIR, 'govchat.sqlite'),
      schema: overrides.databaseSchema,
      onBatch: (ms, statements) => {
        sqliteBatchDuration.observe(ms / 1000);
        sqliteStatements.inc(statements);
      },
    },
    { retrySeconds: config.DATABASE_CONNECT_RETRY_SECONDS, logger },
  );
  opening.catch(() => {}); // told below, once the knowledge base is loaded
  let library: Library;
  let language: LanguageAssistant | null;
  try {
    library =
      overrides.library ??
      (await Library.open({
        roots: knowledgeRoots(config),
        indexDir: defaultIndexDir(config.DATA_DIR),
        logger,
        embeddings: {
          url: config.EMBEDDINGS_URL,
          model: config.EMBEDDINGS_MODEL,
          apiKey: config.EMBEDDINGS_API_KEY,
          batch: config.EMBEDDINGS_BATCH,
          timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
          retries: config.EMBEDDINGS_RETRIES,
        },
      }));
    logger.info({ guides: library.kb.guides.length, chunks: library.manifest.chunks, index: library.loadedFrom }, 'knowledge base ready');
    const llm = llmSettings(config);
    // LangChain is loaded only when a model is configured: it would double the start-up time otherwise.
    language = llm ? (await import('./llm/assistant.js')).createLanguageAssistant(llm, () => library.kb, logger) : null;
  } catch (e) {
    // A broken guide or prompt stops start-up with its file named, whatever the database is doing.
    void opening.then((d) => d.close(), () => {});
    throw e;
  }
  const database = await opening;
  logger.info({ database: database.where, dialect: database.dialect }, 'records ready');
  const records = new ConversationRecords(database.db, database.dialect);
  const staff = createStaffAccounts(database.db, config, { logger, now: overrides.now });
  await staff.bootstrapAdmin();
  // With REDIS_URL: live sessions, handoff queues and events in Redis, shared by every instance.
  // ioredis and bullmq are loaded only when configured: an embedded start does not pay for them.
  const redis = config.REDIS_URL ? new (await import('./platform/redis.js')).RedisConnections(config.REDIS_URL, config.REDIS_PREFIX, logger) : null;
  const redisBackends = redis ? await import('./handoff/redis-backends.js') : undefined;
  if (redis && !(await redis.connect(3000))) logger.warn({ redis: redis.where }, 'redis not reachable at start; answering works, handoffs are stored until it is');
  const sessions: SessionStore = redis
    ? new ResilientSessionStore(new RedisSessionStore(redis.command, config.REDIS_PREFIX), (err, op) => logger.warn({ err: { message: (err as Error).message }, op }, 'session store unavailable; using the records'))
    : new MemorySessionStore();
  const answerer = new Answerer(() => library.current, {
    minConfidence: config.ANSWER_MIN_SCORE,
    cacheSize: config.ANSWER_CACHE_SIZE,
    onRetrieval: (ms) => retrievalDuration.observe(ms / 1000),
    onCache: (hit) => answerCache.inc({ result: hit ? 'hit' : 'miss' }),
  });
  const limits = new RequestLimits(redis ? new RedisSlidingWindow(redis.command, config.REDIS_PREFIX, logger) : new MemorySlidingWindow(), limitSettings(config), (limit) =>
    limitRefusals.inc({ limit }),
  );
  const formSpecs = loadFormSpecs(knowledgeRoots(config));
  if (formSpecs.problems.length) logger.warn({ problems: formSpecs.problems.length, first: formSpecs.problems.slice(0, 3) }, 'form specs have problems; run npm run kb:check');
  const drafts = new FormDrafts({
    records,
    specs: () => formSpecs.byId,
    knowledge: () => library.kb,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    clock: overrides.clock,
    // A confirmed complaint (the 12345 form) is also put in front of a person, with complaint priority.
    onConfirmed: async (d) => (d.spec.id === COMPLAINT_FORM ? handoff.service.requestFor(d.row.conversation_id, 'complaint', d.values.content ?? '') : null),
  });
  const cases = overrides.cases !== undefined ? overrides.cases : createCaseSystem(config, logger);
  const forms = new FormFiller({ drafts });
  const progress = new ProgressAssistant({ cases, logger });
  const handoff = createHandoff({ config, logger, records, sessions, redis, redisBackends, knowledge: () => library.kb, now: overrides.now });
  if (redis) logger.info('handoff timers (escalation, left-message offer, idle close) run in the worker processes: npm run worker');
  // The database is the record: rebuild the queues from it (an in-memory queue after a restart, a Redis that lost its data).
  await handoff.service.sync().catch((err: unknown) => logger.warn({ err }, 'handoff queues not reconciled at start'));
  const wechat = await createWechatChannel({ config, logger, db: database.db, redis, events: handoff.events });
  const unanswered = new UnansweredQuestions(database.db, { index: () => library.current, now: overrides.now, logger });
  const ratings = new Ratings(database.db, records, {
    kb: () => library.kb,
    followupDueDays: config.FOLLOWUP_DUE_DAYS,
    now: overrides.now,
    logger,
    hooks: {
      poor: async (e) => {
        await unanswered.recordLowRating(e.conversationId, e.messageId);
        // A 差评 that asks for help ("问题没解决，请工作人员联系我") is put in front of a person.
        await handoff.service.requestForRating(e.conversationId, e.level, e.comment);
      },
      withdrawn: (e) => unanswered.withdrawLowRating(e.conversationId),
    },
  });
  const followups = new Followups(database.db, records, staff.audit, overrides.now);
  const analytics = new Analytics(database.db, database.dialect, { kb: () => library.kb, unanswered, now: overrides.now });
  const exports = new Exports(database.db, { kb: () => library.kb });
  const onTurn = unansweredOnTurn(unanswered, logger);
  // Cleaned reply texts are kept like the answers they come from: a few per cached answer (its text and blocks).
  const words = new SensitiveWordFilter(loadWordLists(knowledgeRoots(config)), { cache: config.ANSWER_CACHE_SIZE * 4 });
  if (!words.size) logger.warn('no sensitive-word list (knowledge/dict/sensitive.txt): abusive input is only refused by the out-of-scope rules');
  const engine = new DialogueEngine({
    answerer,
    sessions,
    records,
    logger,
    forms,
    progress,
    handoff: handoff.service,
    ratings: ratingPort(ratings, config.FOLLOWUP_DUE_DAYS),
    safety: { inspect: (t) => words.inspect(t), cleanOutput: (t) => words.cleanOutput(t), onRefused: (category) => safetyRefusals.inc({ category }) },
    onTurn: (e) => {
      answers.inc({ type: e.reply.type, channel: e.conversation.channel ?? 'web' });
      return onTurn(e);
    },
    ...(language ? { language } : {}),
  });

  observeQueues(async () => {
    const now = Date.now();
    return Promise.all(
      departmentsOf(config, library.kb).map(async (department) => {
        const entries = await handoff.queue.list(department);
        const oldest = entries.reduce((m, e) => Math.min(m, e.requestedAt), now);
        return { department, length: entries.length, longestWaitSeconds: Math.max(0, Math.round((now - oldest) / 1000)) };
      }),
    );
  });
  const readiness = (): ReadinessCheck[] => [
    {
      name: 'index',
      check: async () => {
        const n = library.current.kb.guides.length;
        if (!n) throw new Error('no guides loaded');
        return `${n} guides`;
      },
    },
    {
      name: 'database',
      check: async () => {
        await sql`select 1`.execute(database.db);
        return database.dialect;
      },
    },
    ...(redis
      ? [
          {
            name: 'redis',
            check: async () => {
              if (!redis.ready()) throw new Error(`not connected (${redis.command.status})`);
              await redis.command.ping();
              return 'ok';
            },
          },
        ]
      : []),
  ];

  return {
    config,
    logger,
    library,
    knowledge: () => library.kb,
    answerer,
    database,
    records,
    sessions,
    engine,
    language,
    formSpecs,
    drafts,
    cases,
    redis,
    handoff,
    staff,
    ratings,
    followups,
    unanswered,
    analytics,
    exports,
    wechat,
    limits,
    observe: httpMetrics(),
    readiness,
    lifecycle: { draining: false },
    close: async () => {
      await wechat.close();
      await handoff.close();
      await redis?.close();
      await database.close();
    },
  };
}

import { join } from 'node:path';
import { Answerer } from './answer/answerer.js';
import type { Config } from './config.js';
import { DialogueEngine } from './dialogue/engine.js';
import { MemorySessionStore, type SessionStore } from './dialogue/session.js';
import type { KnowledgeBase } from './kb/load.js';
import type { Logger } from './platform/logger.js';
import { openDatabase, type OpenedDatabase } from './records/db.js';
import { ConversationRecords } from './records/store.js';
import { Library, defaultIndexDir } from './search/library.js';
import { createStaffAccounts, type StaffModule } from './staff/index.js';
import { unansweredOnTurn } from './analytics/hooks.js';
import { Exports } from './analytics/export.js';
import { Analytics } from './analytics/stats.js';
import { UnansweredQuestions } from './analytics/unanswered.js';
import { Followups } from './ratings/followups.js';
import { Ratings } from './ratings/ratings.js';

/** Everything the app needs, behind interfaces: embedded or Redis/PostgreSQL implementations. */
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
  /** Staff accounts, authentication (StaffAuthenticator) and the audit log (AuditSink). */
  staff: StaffModule;
  /** 好差评 ratings and their 差评 follow-ups. */
  ratings: Ratings;
  followups: Followups;
  /** Unanswered and poorly rated questions, grouped for the knowledge-base editors. */
  unanswered: UnansweredQuestions;
  analytics: Analytics;
  exports: Exports;
  close(): Promise<void>;
}

export function knowledgeRoots(config: Config): string[] {
  return [config.KNOWLEDGE_DIR, ...config.KNOWLEDGE_EXTRA_DIRS];
}

export interface ServiceOverrides {
  /** Use this library instead of opening one (tests share one across apps). */
  library?: Library;
  /** PostgreSQL schema (tests). */
  databaseSchema?: string;
  /** SQLite file (tests); default DATA_DIR/govchat.sqlite. */
  sqlitePath?: string;
  /** PostgreSQL URL (tests): overrides config.DATABASE_URL. */
  databaseUrl?: string;
  /** Clock for ratings, follow-ups, unanswered questions, analytics and staff sessions (tests move it instead of sleeping). */
  now?: () => number;
}

export async function createServices(config: Config, logger: Logger, overrides: ServiceOverrides = {}): Promise<Services> {
  const library =
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

  const database = await openDatabase({
    url: overrides.databaseUrl ?? config.DATABASE_URL,
    sqlitePath: overrides.sqlitePath ?? join(config.DATA_DIR, 'govchat.sqlite'),
    schema: overrides.databaseSchema,
  });
  logger.info({ database: database.where, dialect: database.dialect }, 'records ready');
  const records = new ConversationRecords(database.db, database.dialect);
  const staff = createStaffAccounts(database.db, config, { logger, now: overrides.now });
  await staff.bootstrapAdmin();
  const sessions: SessionStore = new MemorySessionStore();
  const answerer = new Answerer(() => library.current, { minConfidence: config.ANSWER_MIN_SCORE });
  const unanswered = new UnansweredQuestions(database.db, { index: () => library.current, now: overrides.now, logger });
  const ratings = new Ratings(database.db, records, {
    kb: () => library.kb,
    followupDueDays: config.FOLLOWUP_DUE_DAYS,
    now: overrides.now,
    logger,
    hooks: {
      poor: async (e) => void (await unanswered.recordLowRating(e.conversationId, e.messageId)),
      withdrawn: (e) => unanswered.withdrawLowRating(e.conversationId),
    },
  });
  const followups = new Followups(database.db, records, staff.audit, overrides.now);
  const analytics = new Analytics(database.db, database.dialect, { kb: () => library.kb, unanswered, now: overrides.now });
  const exports = new Exports(database.db, { kb: () => library.kb });
  const engine = new DialogueEngine({ answerer, sessions, records, logger, onTurn: unansweredOnTurn(unanswered, logger) });

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
    staff,
    ratings,
    followups,
    unanswered,
    analytics,
    exports,
    close: async () => {
      await database.close();
    },
  };
}

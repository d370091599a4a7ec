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
  /** Clock for records, ratings and staff sessions (tests move it instead of sleeping). */
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
  const engine = new DialogueEngine({ answerer, sessions, records, logger });

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
    close: async () => {
      await database.close();
    },
  };
}

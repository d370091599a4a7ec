import { join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { Answerer } from './answer/answerer.js';
import type { Config } from './config.js';
import { DialogueEngine } from './dialogue/engine.js';
import { MemorySessionStore, type SessionStore } from './dialogue/session.js';
import type { KnowledgeBase } from './kb/load.js';
import type { AppEnv } from './platform/http.js';
import type { Logger } from './platform/logger.js';
import { openDatabase, type OpenedDatabase } from './records/db.js';
import { ConversationRecords } from './records/store.js';
import { Library, defaultIndexDir } from './search/library.js';

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
  /** Edge only (src/edge.ts): sends origin-only routes (handoff, forms, ratings, staff, session events) to the origin before any route runs. */
  forwardToOrigin?: MiddlewareHandler<AppEnv>;
  close(): Promise<void>;
}

/**
 * What createApp needs. The Node wiring gives all of Services; the edge (src/edge.ts) has no SQL
 * database or native index: its engine records through the origin and it forwards what needs them.
 */
export type AppServices = Omit<Services, 'library' | 'database' | 'records' | 'close'> & Partial<Pick<Services, 'records' | 'database'>>;

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
    url: config.DATABASE_URL,
    sqlitePath: overrides.sqlitePath ?? join(config.DATA_DIR, 'govchat.sqlite'),
    schema: overrides.databaseSchema,
  });
  logger.info({ database: database.where, dialect: database.dialect }, 'records ready');
  const records = new ConversationRecords(database.db, database.dialect);
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
    close: async () => {
      await database.close();
    },
  };
}

import { join } from 'node:path';
import { Answerer } from './answer/answerer.js';
import type { Config } from './config.js';
import { DialogueEngine } from './dialogue/engine.js';
import { FormDrafts, FormFiller, loadFormSpecs, type FormSpecs } from './forms/index.js';
import { ProgressAssistant, createCaseSystem, type CaseSystem } from './progress/index.js';
import { MemorySessionStore, type SessionStore } from './dialogue/session.js';
import type { KnowledgeBase } from './kb/load.js';
import type { Logger } from './platform/logger.js';
import { openDatabase, type OpenedDatabase } from './records/db.js';
import { ConversationRecords } from './records/store.js';
import { Library, defaultIndexDir } from './search/library.js';
import type { LanguageAssistant } from './llm/index.js';
import { llmSettings } from './llm/settings.js';

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
  /** The optional language model; null unless LLM_BASE_URL is set. */
  language: LanguageAssistant | null;
  /** Form specs (knowledge/forms) and the drafts made from them. */
  formSpecs: FormSpecs;
  drafts: FormDrafts;
  /** The case-handling system for progress queries; null when none is configured. */
  cases: CaseSystem | null;
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
  /** The clock forms resolve 明天 / 下周一 against (tests fix the day). */
  clock?: () => Date;
  /** Use this case system instead of the configured one (tests). */
  cases?: CaseSystem | null;
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
  // Prompts are checked before the database opens: a broken prompt stops start-up with its file named.
  const llm = llmSettings(config);
  // LangChain is loaded only when a model is configured: it would double the start-up time otherwise.
  const language = llm ? (await import('./llm/assistant.js')).createLanguageAssistant(llm, () => library.kb, logger) : null;

  const database = await openDatabase({
    url: config.DATABASE_URL,
    sqlitePath: overrides.sqlitePath ?? join(config.DATA_DIR, 'govchat.sqlite'),
    schema: overrides.databaseSchema,
  });
  logger.info({ database: database.where, dialect: database.dialect }, 'records ready');
  const records = new ConversationRecords(database.db, database.dialect);
  const sessions: SessionStore = new MemorySessionStore();
  const answerer = new Answerer(() => library.current, { minConfidence: config.ANSWER_MIN_SCORE });
  const formSpecs = loadFormSpecs(knowledgeRoots(config));
  if (formSpecs.problems.length) logger.warn({ problems: formSpecs.problems.length, first: formSpecs.problems.slice(0, 3) }, 'form specs have problems; run npm run kb:check');
  const drafts = new FormDrafts({
    records,
    specs: () => formSpecs.byId,
    knowledge: () => library.kb,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    clock: overrides.clock,
  });
  const cases = overrides.cases !== undefined ? overrides.cases : createCaseSystem(config, logger);
  const forms = new FormFiller({ drafts });
  const progress = new ProgressAssistant({ cases, logger });
  const engine = new DialogueEngine({ answerer, sessions, records, logger, forms, progress, ...(language ? { language } : {}) });

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
    close: async () => {
      await database.close();
    },
  };
}

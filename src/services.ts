import type { Config } from './config.js';
import { loadKnowledgeBase, type KnowledgeBase } from './kb/load.js';
import type { Logger } from './platform/logger.js';

/** Everything the app needs, behind interfaces: embedded or Redis/PostgreSQL implementations. */
export interface Services {
  config: Config;
  logger: Logger;
  knowledge(): KnowledgeBase;
  close(): Promise<void>;
}

export function knowledgeRoots(config: Config): string[] {
  return [config.KNOWLEDGE_DIR, ...config.KNOWLEDGE_EXTRA_DIRS];
}

export async function createServices(config: Config, logger: Logger): Promise<Services> {
  const kb = loadKnowledgeBase(knowledgeRoots(config));
  const errors = kb.problems.filter((p) => p.severity === 'error');
  if (errors.length) logger.warn({ errors: errors.length, first: errors.slice(0, 3) }, 'knowledge base has problems; run npm run kb:check');
  logger.info({ guides: kb.guides.length, faqs: kb.faqs.length }, 'knowledge base loaded');
  return {
    config,
    logger,
    knowledge: () => kb,
    close: async () => {},
  };
}

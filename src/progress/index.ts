import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../platform/logger.js';
import type { CaseSystem } from './case-system.js';
import { DemoCaseSystem } from './demo-case-system.js';
import { HttpCaseSystem } from './http-case-system.js';

export { ProgressAssistant, parseProgressQuery } from './assistant.js';
export { CASE_STATUS_TEXT, CaseSystemUnavailable, type CaseLookup, type CaseQuery, type CaseRecord, type CaseSystem } from './case-system.js';
export { DemoCaseSystem } from './demo-case-system.js';
export { HttpCaseSystem } from './http-case-system.js';

/** The case system progress queries use: CASES_API_URL, else the demo file, else none. */
export function createCaseSystem(config: Config, logger: Logger): CaseSystem | null {
  if (config.CASES_API_URL) {
    logger.info({ url: config.CASES_API_URL, timeoutMs: config.CASES_API_TIMEOUT_MS }, 'progress queries: case system over HTTP');
    return new HttpCaseSystem({
      baseUrl: config.CASES_API_URL,
      token: config.CASES_API_TOKEN,
      timeoutMs: config.CASES_API_TIMEOUT_MS,
      retries: config.CASES_API_RETRIES,
      logger,
    });
  }
  const file = join(config.KNOWLEDGE_DIR, 'demo', 'cases.json');
  if (config.CASES_DEMO && existsSync(file)) {
    logger.warn({ file }, 'progress queries answered from DEMO cases; set CASES_API_URL for the real case system');
    return new DemoCaseSystem(file);
  }
  logger.info('progress queries: no case system configured (CASES_API_URL)');
  return null;
}

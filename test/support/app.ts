/**
 * The real services and app for a test: a throwaway DATA_DIR and SQLite file, the knowledge base
 * in knowledge/ with its search index persisted once under data/ (the same one the eval uses), a
 * fixed clock for forms when asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/platform/logger.js';
import { silentLogger } from '../../src/platform/logger.js';
import type { CaseSystem } from '../../src/progress/index.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';
import { sharedLibrary } from './library.js';


export interface TestApp {
  services: Services;
  app: App;
  /** The throwaway DATA_DIR. */
  dir: string;
  dispose(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: () => Date;
  cases?: CaseSystem | null;
  logger?: Logger;
  overrides?: ServiceOverrides;
}

export async function testApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-test-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dir, RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000', ...opts.env });
  const services = await createServices(config, opts.logger ?? silentLogger, {
    library: await sharedLibrary(),
    sqlitePath: join(dir, 'test.sqlite'),
    clock: opts.clock,
    cases: opts.cases,
    ...opts.overrides,
  });
  return {
    services,
    app: createApp(services),
    dir,
    dispose: async () => {
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST a JSON body (or a raw string) to the app. */
export function postJson(app: App, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  );
}

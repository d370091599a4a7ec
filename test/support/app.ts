/** A whole govchat app for tests: real services over the real knowledge base, in a temp data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/platform/logger.js';
import { Library } from '../../src/search/library.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';

let shared: Promise<Library> | null = null;

/** One library per test process (building it is the slow part); apps share it. */
export function sharedLibrary(): Promise<Library> {
  shared ??= Library.open({ roots: ['knowledge'] });
  return shared;
}

export interface TestApp {
  app: App;
  services: Services;
  dataDir: string;
  dispose(): Promise<void>;
}

export async function createTestApp(env: Record<string, string> = {}, opts: { logger?: Logger; overrides?: ServiceOverrides } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'govchat-app-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000', ...env, DATA_DIR: env.DATA_DIR ?? dataDir });
  const services = await createServices(config, opts.logger ?? silentLogger, { library: await sharedLibrary(), ...opts.overrides });
  return {
    app: createApp(services),
    services,
    dataDir,
    dispose: async () => {
      await services.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST a JSON body (or a raw string) to the app. */
export function postJson(app: App, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  );
}

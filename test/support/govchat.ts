/**
 * A whole govchat for integration tests: services + app, optionally listening on a real port.
 * The search library is opened once per test file and shared (it is read-only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/platform/logger.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';
import { ensureStaff } from './staff.js';
import { sharedLibrary } from './library.js';

export { sharedLibrary };

export interface Govchat {
  services: Services;
  app: App;
  /** Base URL when listening. */
  url: string;
  close(): Promise<void>;
}

export interface GovchatOptions extends ServiceOverrides {
  env?: Record<string, string>;
  listen?: boolean;
  logger?: Logger;
}

/** A temporary directory for one test file's SQLite database (removed by the returned function). */
export function tempDir(): { dir: string; sqlitePath: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-handoff-'));
  return { dir, sqlitePath: join(dir, 'govchat.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startGovchat(o: GovchatOptions = {}): Promise<Govchat> {
  // One secret for every instance of a test, so a staff token from one works on the others.
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_IP_PER_MIN: '100000', RATE_LIMIT_SESSION_PER_MIN: '100000', GOVCHAT_SECRET: 'test-secret-shared-by-instances', ...o.env });
  const services = await createServices(config, o.logger ?? silentLogger, { library: o.library ?? (await sharedLibrary()), ...o });
  await ensureStaff(services);
  const app = createApp(services);
  let server: ServerType | null = null;
  let url = '';
  if (o.listen) {
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        url = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  }
  return {
    services,
    app,
    url,
    close: async () => {
      await services.close();
      if (server) {
        const s = server as ServerType & { closeAllConnections?: () => void };
        s.closeAllConnections?.();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}

/** POST /api/chat as a citizen. */
export async function chat(target: { request: (p: string, i?: RequestInit) => Response | Promise<Response> } | string, message: string, sessionId?: string) {
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, ...(sessionId ? { sessionId } : {}) }) };
  const res = typeof target === 'string' ? await fetch(`${target}/api/chat`, init) : await target.request('/api/chat', init);
  if (res.status !== 200) throw new Error(`chat answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as {
    sessionId: string;
    messageId: string;
    type: string;
    text: string;
    handoff: { status: string; department: string; position: number | null; etaSeconds: number | null; leftMessage?: boolean } | null;
    ratingRequested?: boolean;
    citations: unknown[];
  };
}

/**
 * The edge for tests: the worker built from the 42-guide knowledge base into a temporary folder,
 * run in real workerd through Miniflare with the settings of wrangler.toml, and a real govchat
 * origin (the Node app) on a random port that records every request it receives.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { Miniflare } from 'miniflare';
import { writeEdgeBundle } from '../../src/edge/bundle.js';
import { EDGE_MODULE_RULES, buildWorker, type WorkerBuildReport } from '../../src/edge/build.js';
import { loadDictionary } from '../../src/search/dictionary.js';
import type { VectorEncoding } from '../../src/edge/vectors.js';
import type { KVNamespace } from '../../src/edge/workers.js';
import type { Library } from '../../src/search/library.js';
import { testApp, type TestApp } from './app.js';

export const EDGE_TOKEN = 'edge-test-token-0123456789';

export interface BuiltWorker {
  dir: string;
  report: WorkerBuildReport;
  assetsDir: string;
  dispose(): void;
}

/** Bundle + worker from an open library (the one the Node side answers from), with two widget files as assets. */
export async function buildTestWorker(library: Library, opts: { vectors?: VectorEncoding } = {}): Promise<BuiltWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-edge-'));
  const assetsDir = join(dir, 'widget');
  mkdirSync(assetsDir);
  writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>示例市政务服务</title><script src="/widget.js"></script>');
  writeFileSync(join(assetsDir, 'widget.js'), 'console.log("govchat widget");');
  writeEdgeBundle(library.current, library.manifest, loadDictionary(['knowledge']), join(dir, 'bundle'), { vectors: opts.vectors ?? 'auto' });
  const report = await buildWorker({ bundleDir: join(dir, 'bundle'), outDir: join(dir, 'out'), assetsDir });
  return { dir, report, assetsDir: join(dir, 'out', 'public'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WranglerSettings {
  compatibilityDate: string;
  compatibilityFlags: string[];
  kvNamespaces: string[];
  vars: Record<string, string>;
  assetsBinding?: string;
  crons: string[];
  main: string;
}

/** wrangler.toml as wrangler itself reads and validates it. */
export async function wranglerSettings(): Promise<WranglerSettings> {
  process.env.WRANGLER_SEND_METRICS = 'false';
  const { unstable_readConfig } = await import('wrangler');
  const c = unstable_readConfig({ config: 'wrangler.toml' });
  return {
    compatibilityDate: c.compatibility_date!,
    compatibilityFlags: c.compatibility_flags,
    kvNamespaces: c.kv_namespaces.map((k: { binding: string }) => k.binding),
    vars: Object.fromEntries(Object.entries(c.vars).map(([k, v]) => [k, String(v)])),
    assetsBinding: c.assets?.binding,
    crons: c.triggers.crons ?? [],
    main: c.main ?? '',
  };
}

/** The built worker in workerd, configured as wrangler.toml says, with the given vars on top. */
export async function startWorker(built: BuiltWorker, settings: WranglerSettings, bindings: Record<string, string>): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(built.report.outDir, 'worker.js'),
    modulesRoot: built.report.outDir,
    modulesRules: EDGE_MODULE_RULES,
    compatibilityDate: settings.compatibilityDate,
    compatibilityFlags: settings.compatibilityFlags,
    kvNamespaces: settings.kvNamespaces,
    bindings: { ...settings.vars, LOG_LEVEL: 'silent', ...bindings },
    // As wrangler sets it: requests that match no asset go to the worker.
    ...(settings.assetsBinding ? { assets: { directory: built.assetsDir, binding: settings.assetsBinding, routerConfig: { has_user_worker: true } } } : {}),
  });
  await mf.ready;
  return mf;
}

export interface SeenRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

export interface TestOrigin {
  url: string;
  port: number;
  test: TestApp;
  seen: SeenRequest[];
  /** Stops listening (connections refused), as when the origin is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The real govchat app as the origin, with EDGE_INGEST_TOKEN set, behind a recorder of every
 * request, and one extra streaming route under a forwarded prefix for the SSE pass-through test.
 */
export async function startOrigin(): Promise<TestOrigin> {
  const test = await testApp({ env: { EDGE_INGEST_TOKEN: EDGE_TOKEN } });
  const seen: SeenRequest[] = [];
  const outer = new Hono();
  outer.use(async (c, next) => {
    const url = new URL(c.req.url);
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.raw.clone().text();
    seen.push({ method: c.req.method, path: url.pathname, search: url.search, headers: Object.fromEntries(c.req.raw.headers), body });
    await next();
  });
  outer.get('/api/sessions/:id/edge-test-stream', (c) =>
    streamSSE(c, async (s) => {
      for (let i = 1; i <= 3; i++) {
        await s.writeSSE({ event: 'tick', data: JSON.stringify({ i, at: Date.now() }) });
        await s.sleep(150);
      }
    }),
  );
  outer.all('*', (c) => test.app.fetch(c.req.raw));
  let server: ServerType | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = serve({ fetch: outer.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        port = info.port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server as (ServerType & { closeAllConnections?: () => void }) | null;
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections?.();
      server = null;
    });
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    test,
    seen,
    start,
    stop,
    dispose: async () => {
      await stop();
      await test.dispose();
    },
  };
}

/** The worker's SESSIONS namespace, as the worker sees it (Miniflare's types need workers-types; ours match). */
export async function sessionsKv(mf: Miniflare): Promise<KVNamespace> {
  return (await mf.getKVNamespace('SESSIONS')) as unknown as KVNamespace;
}

/** Runs the worker's cron trigger once, as Cloudflare would. */
export async function runScheduled(mf: Miniflare, cron: string): Promise<void> {
  const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<unknown> };
  await worker.scheduled({ cron });
}

/** POST /api/chat to the worker. */
export async function edgeChat(mf: Miniflare, body: { message: string; sessionId?: string | null; channel?: string }, headers: Record<string, string> = {}) {
  const res = await mf.dispatchFetch('http://edge.test/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, sessionId: body.sessionId ?? undefined }),
  });
  return res;
}

/** Polls until `check` holds (records reach the origin in the background of the request). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../../platform/http.js';
import { demoPage } from './demo-page.js';

/** Where `npm run build` puts the widget bundle (scripts/widget-build.mjs). */
export const DEFAULT_WIDGET_FILE = 'dist/widget.js';

interface Bundle {
  key: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** Reads the bundle once and again only when the file changes (a rebuild while the server runs). */
class BundleFile {
  private cached: Bundle | null = null;
  constructor(private readonly path: string) {}

  get(): Bundle | null {
    let key: string;
    try {
      const st = statSync(this.path);
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      this.cached = null;
      return null;
    }
    if (this.cached?.key === key) return this.cached;
    const body = readFileSync(this.path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    this.cached = { key, body, gzip: gzipSync(body, { level: 9 }), etag };
    return this.cached;
  }
}

export interface AssetRoutesOptions {
  /** The built widget; default dist/widget.js under the working directory. */
  widgetFile?: string;
}

/** Whether an If-None-Match header names this ETag (weak comparison, as for GET). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * GET /widget.js: the citizen chat widget for city sites, and GET /: a demo page that embeds it
 * exactly as a city site would. The script is cached for a day and revalidated by ETag (a site
 * embeds the bare /widget.js URL, so a new release must reach citizens within a day); with
 * `?v=<etag>` it is immutable for a year. Without a build the route answers 503 saying how to
 * make one, instead of the server failing to start.
 */
export function assetRoutes(opts: AssetRoutesOptions = {}) {
  const file = resolve(opts.widgetFile ?? DEFAULT_WIDGET_FILE);
  const bundle = new BundleFile(file);
  const app = new Hono<AppEnv>();

  app.get('/widget.js', (c) => {
    const b = bundle.get();
    if (!b) {
      c.get('log')?.warn({ file }, 'widget.js requested but not built');
      return c.body(
        `/* govchat: widget.js has not been built. Run "npm run build" (or "npm run build:widget") on the server. */\nconsole.error("govchat: widget.js has not been built on the server (npm run build)");\n`,
        503,
        { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '30' },
      );
    }
    const version = c.req.query('v');
    const headers: Record<string, string> = {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': version && `"${version}"` === b.etag ? 'public, max-age=31536000, immutable' : 'public, max-age=86400, stale-while-revalidate=604800',
      etag: b.etag,
      vary: 'Accept-Encoding',
      // City sites that isolate themselves (COEP) may still load the script from this origin.
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
    };
    if (matches(c.req.header('if-none-match'), b.etag)) return c.body(null, 304, headers);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip ? b.gzip : b.body;
    headers['content-length'] = String(body.length);
    return c.body(new Uint8Array(body), 200, headers);
  });

  app.get('/', (c) => c.html(demoPage()));
  return app;
}

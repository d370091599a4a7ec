import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../platform/http.js';
import type { StaffAuthenticator } from '../staff/principal.js';

/** Where scripts/console-build.mjs puts the console's bundle. */
export const DEFAULT_CONSOLE_DIR = 'dist/console';

/** The files the console's pages load; nothing else under /console/assets is served. */
const ASSETS = { 'console.js': 'application/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8' } as const;
type AssetName = keyof typeof ASSETS;

interface Built {
  key: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** Re-read only when the file changes (a rebuild while the server runs). */
class AssetFile {
  private cached: Built | null = null;
  constructor(private readonly path: string) {}
  get(): Built | null {
    let key: string;
    try {
      const st = statSync(this.path);
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      return (this.cached = null);
    }
    if (this.cached?.key === key) return this.cached;
    const body = readFileSync(this.path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    this.cached = { key, body, gzip: gzipSync(body, { level: 6 }), etag };
    return this.cached;
  }
}

const escapeAttr = (s: string) => s.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);

/**
 * The one HTML page of the console: no inline script (CSP), the bundle decides what to draw from
 * `data-page` (login, or the app). Assets carry their hash so a new build is fetched at once.
 */
export function shellHtml(page: 'login' | 'app', versions: { js: string; css: string }): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page === 'login' ? '登录 · 政务服务工作台' : '政务服务工作台'}</title>
<link rel="stylesheet" href="/console/assets/console.css?v=${escapeAttr(versions.css)}">
<script defer src="/console/assets/console.js?v=${escapeAttr(versions.js)}"></script>
</head>
<body data-page="${page}">
<div id="app"><p class="boot">正在加载工作台…</p></div>
<noscript><p class="boot">工作台需要启用 JavaScript。</p></noscript>
</body>
</html>
`;
}

export interface ConsolePagesOptions {
  authenticate: StaffAuthenticator;
  /** The built console; default dist/console under the working directory. */
  dir?: string;
}

/** GET /console/ (the login page, or the console once logged in) and its two asset files. */
export function consolePages(o: ConsolePagesOptions) {
  const dir = resolve(o.dir ?? DEFAULT_CONSOLE_DIR);
  const files = Object.fromEntries(Object.keys(ASSETS).map((n) => [n, new AssetFile(join(dir, n))])) as Record<AssetName, AssetFile>;
  const app = new Hono<AppEnv>();
  const noStore = { 'cache-control': 'no-store' };

  app.get('/console', (c) => c.redirect('/console/', 301));
  app.get('/console/', async (c) => {
    const js = files['console.js'].get();
    const css = files['console.css'].get();
    if (!js || !css) {
      c.get('log')?.warn({ dir }, 'console requested but not built');
      return c.html('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>工作台未构建</title><p>工作台尚未构建：请在服务器上运行 <code>npm run build</code>。</p></html>', 503, noStore);
    }
    const staff = await o.authenticate(c.req.raw);
    return c.html(shellHtml(staff ? 'app' : 'login', { js: js.etag.slice(1, 11), css: css.etag.slice(1, 11) }), 200, noStore);
  });

  app.get('/console/assets/:name', (c) => {
    const name = c.req.param('name') as AssetName;
    if (!(name in ASSETS)) return c.json({ error: { code: 'not_found', message: '没有这个文件' } }, 404);
    const b = files[name].get();
    if (!b) return c.json({ error: { code: 'unavailable', message: '工作台尚未构建（npm run build）' } }, 503, noStore);
    const headers: Record<string, string> = {
      'content-type': ASSETS[name],
      // The page asks for ?v=<hash>; a stale tab still revalidates by ETag.
      'cache-control': c.req.query('v') ? 'private, max-age=31536000, immutable' : 'no-cache',
      etag: b.etag,
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
    };
    if (c.req.header('if-none-match') === b.etag) return c.body(null, 304, headers);
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    return c.body(new Uint8Array(gzip ? b.gzip : b.body), 200, headers);
  });
  return app;
}

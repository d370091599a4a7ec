/**
 * The worker build: bundles src/edge.ts with esbuild for workerd and lays out dist/edge/ as
 * wrangler.toml uploads it — worker.js, jieba.wasm, bundle/ (the data from kb:build --edge) and
 * public/ (the widget's static assets) — then reports each module's size against the Workers limits.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { EDGE_BUNDLE_FILES, gzipSize } from './bundle.js';

/** Workers script size limits, compressed (developers.cloudflare.com/workers/platform/limits). */
export const WORKERS_LIMITS = { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024, uncompressed: 64 * 1024 * 1024 } as const;

/** How Miniflare (and wrangler.toml's rules) type the extra modules. */
export const EDGE_MODULE_RULES = [
  { type: 'Text' as const, include: ['bundle/*.json'] },
  { type: 'Data' as const, include: ['bundle/*.bin'] },
  { type: 'CompiledWasm' as const, include: ['*.wasm'] },
];

export interface WorkerBuildOptions {
  /** The bundle written by kb:build --edge. */
  bundleDir: string;
  outDir: string;
  /** The widget's built assets, copied to outDir/public when present. */
  assetsDir?: string;
  minify?: boolean;
}

export interface ModuleSize {
  name: string;
  bytes: number;
  gzip: number;
}

export interface WorkerBuildReport {
  outDir: string;
  modules: ModuleSize[];
  total: { bytes: number; gzip: number };
  assets: string[];
  fits: { free: boolean; paid: boolean; uncompressed: boolean };
  /** esbuild's largest inputs in worker.js, for when it grows. */
  largestInputs: { path: string; bytes: number }[];
  ms: number;
}

/** edge-bundle:<file> → ./jieba.wasm or ./bundle/<file>, left for wrangler/Miniflare to load as modules. */
const edgeBundlePlugin: Plugin = {
  name: 'edge-bundle',
  setup(b) {
    b.onResolve({ filter: /^edge-bundle:/ }, (args) => {
      const file = args.path.slice('edge-bundle:'.length);
      return { path: file.endsWith('.wasm') ? `./${file}` : `./bundle/${file}`, external: true };
    });
  },
};

function jiebaWasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('jieba-wasm/web')), 'jieba_rs_wasm_bg.wasm');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

export async function buildWorker(opts: WorkerBuildOptions): Promise<WorkerBuildReport> {
  const started = performance.now();
  for (const f of EDGE_BUNDLE_FILES) {
    if (!existsSync(join(opts.bundleDir, f))) throw new Error(`${join(opts.bundleDir, f)} is missing: run npm run kb:build -- --edge`);
  }
  rmSync(opts.outDir, { recursive: true, force: true });
  mkdirSync(join(opts.outDir, 'bundle'), { recursive: true });
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../edge.ts', import.meta.url))],
    outfile: join(opts.outDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    // workerd provides these with nodejs_compat.
    external: ['node:*'],
    plugins: [edgeBundlePlugin],
    // node_modules may be a symlink to another checkout: resolve packages where they appear, so
    // esbuild reads this project's package.json, not the other checkout's.
    preserveSymlinks: true,
    minify: opts.minify ?? true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  for (const f of EDGE_BUNDLE_FILES) copyFileSync(join(opts.bundleDir, f), join(opts.outDir, 'bundle', f));
  copyFileSync(jiebaWasmPath(), join(opts.outDir, 'jieba.wasm'));
  const publicDir = join(opts.outDir, 'public');
  mkdirSync(publicDir, { recursive: true });
  if (opts.assetsDir && existsSync(opts.assetsDir)) cpSync(opts.assetsDir, publicDir, { recursive: true });

  const modules = listFiles(opts.outDir)
    .filter((p) => !p.startsWith(publicDir))
    .map((p) => {
      const body = readFileSync(p);
      return { name: relative(opts.outDir, p), bytes: body.byteLength, gzip: gzipSize(body) };
    })
    .sort((a, b) => b.gzip - a.gzip);
  const total = modules.reduce((t, m) => ({ bytes: t.bytes + m.bytes, gzip: t.gzip + m.gzip }), { bytes: 0, gzip: 0 });
  const inputs = Object.entries(result.metafile.outputs)[0]?.[1].inputs ?? {};
  const largestInputs = Object.entries(inputs)
    .map(([path, v]) => ({ path, bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
  return {
    outDir: opts.outDir,
    modules,
    total,
    assets: listFiles(publicDir).map((p) => relative(publicDir, p)),
    fits: { free: total.gzip <= WORKERS_LIMITS.free, paid: total.gzip <= WORKERS_LIMITS.paid, uncompressed: total.bytes <= WORKERS_LIMITS.uncompressed },
    largestInputs,
    ms: Math.round(performance.now() - started),
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

/** The size report the build prints. */
export function formatReport(r: WorkerBuildReport): string {
  const lines = [`worker bundle ${r.outDir} (built in ${r.ms} ms):`, '  module                      raw         gzip'];
  for (const m of r.modules) lines.push(`  ${m.name.padEnd(24)} ${kib(m.bytes).padStart(10)} ${kib(m.gzip).padStart(12)}`);
  lines.push(`  ${'total'.padEnd(24)} ${mib(r.total.bytes).padStart(10)} ${mib(r.total.gzip).padStart(12)}`);
  const verdict = (ok: boolean) => (ok ? 'fits' : 'DOES NOT FIT');
  lines.push(
    `Workers limits (compressed): free plan 3 MiB — ${verdict(r.fits.free)}; paid plan 10 MiB — ${verdict(r.fits.paid)}; uncompressed 64 MiB — ${verdict(r.fits.uncompressed)}`,
  );
  lines.push(`static assets (${r.assets.length}): ${r.assets.length ? r.assets.slice(0, 10).join(', ') : 'none — build the widget into dist/widget or pass --assets <dir>'}`);
  lines.push(`largest parts of worker.js: ${r.largestInputs.map((i) => `${i.path.replace(/^.*node_modules\//, '')} ${kib(i.bytes)}`).join(', ')}`);
  return lines.join('\n');
}

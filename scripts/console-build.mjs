// Bundles the staff console and admin dashboard (src/console/ui) into dist/console/console.js and
// console.css: same-origin files, no inline script, so the console runs under a strict CSP.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `outdir` (default dist/console); each file is written whole and renamed into place. */
export async function buildConsole({ outdir = resolve(root, 'dist/console'), minify = true } = {}) {
  const result = await build({
    entryPoints: { console: resolve(root, 'src/console/ui/main.ts'), 'console-style': resolve(root, 'src/console/ui/console.css') },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Staff use current desktop browsers and tablets.
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    minify,
    charset: 'utf8',
    legalComments: 'none',
    write: false,
    outdir,
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  const sizes = {};
  for (const f of result.outputFiles) {
    const name = f.path.endsWith('.css') ? 'console.css' : 'console.js';
    const out = join(outdir, name);
    const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, out);
    sizes[name] = { bytes: f.contents.length, gzip: gzipSync(f.contents, { level: 9 }).length };
  }
  return { outdir, sizes };
}

export function describeConsole({ sizes }) {
  return Object.entries(sizes)
    .map(([n, b]) => `${n} ${(b.bytes / 1024).toFixed(0)} kB (${(b.gzip / 1024).toFixed(0)} kB gzipped)`)
    .join(', ');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildConsole();
  console.log(`built dist/console: ${describeConsole(r)}`);
}

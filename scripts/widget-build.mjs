// Bundles the citizen chat widget (src/channels/web/widget) into one small script for city sites.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The budget from issue 8: the widget must stay under 40 kB gzipped. */
export const WIDGET_GZIP_LIMIT = 40 * 1024;

/**
 * Builds dist/widget.js (or `outfile`) and returns its sizes. ASCII output on purpose: many city
 * sites still serve GBK pages, and \u escapes keep the Chinese strings intact whatever charset
 * the script is read in. The file is written to a temporary name and renamed, so a server
 * reading it meanwhile never sees half a file.
 */
export async function buildWidget({ outfile = resolve(root, 'dist/widget.js'), minify = true } = {}) {
  const result = await build({
    entryPoints: [resolve(root, 'src/channels/web/widget/index.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Phones citizens actually use, including older Android WebViews and WeChat's browser (Safari
    // before 14.1 has a destructuring bug esbuild cannot work around).
    target: ['es2019', 'chrome69', 'firefox68', 'safari14.1', 'ios14.5'],
    minify,
    charset: 'ascii',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  if (gzipBytes > WIDGET_GZIP_LIMIT) {
    throw new Error(`widget.js is ${(gzipBytes / 1024).toFixed(1)} kB gzipped, over the ${WIDGET_GZIP_LIMIT / 1024} kB budget`);
  }
  mkdirSync(dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, outfile);
  return { outfile, bytes: code.length, gzipBytes };
}

export function describeSize({ bytes, gzipBytes }) {
  return `widget.js ${(bytes / 1024).toFixed(1)} kB, ${(gzipBytes / 1024).toFixed(1)} kB gzipped (budget ${WIDGET_GZIP_LIMIT / 1024} kB)`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildWidget();
  console.log(`built dist/${describeSize(r)}`);
}

// Builds the server and workers (Node bundles, dependencies left external) into dist/, and the
// citizen chat widget into dist/widget.js, the staff console into dist/console/.
import { build } from 'esbuild';
import { buildWidget, describeSize } from './widget-build.mjs';
import { buildConsole, describeConsole } from './console-build.mjs';

const started = Date.now();
await build({
  entryPoints: { main: 'src/main.ts', worker: 'workers/handoff.ts', wechat: 'src/wechat.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Code loaded on demand (the language model) stays in its own chunk, out of start-up.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
const widget = await buildWidget();
const consoleBuilt = await buildConsole();
console.log(`built dist/ in ${Date.now() - started} ms; ${describeSize(widget)}; ${describeConsole(consoleBuilt)}`);

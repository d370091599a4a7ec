// Builds the server and workers (Node bundles, dependencies left external) into dist/.
import { build } from 'esbuild';

const started = Date.now();
await build({
  entryPoints: { main: 'src/main.ts', worker: 'workers/handoff.ts' },
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
console.log(`built dist/ in ${Date.now() - started} ms`);

/**
 * npm run kb:build — builds the BM25 and vector indexes for the configured knowledge roots and
 * persists them under DATA_DIR/index, where the server loads them at start-up.
 *
 * npm run kb:build -- --edge [--vectors auto|dense|sparse|int8] [--assets dir] — also writes the
 * edge bundle (DATA_DIR/edge) and builds the Cloudflare worker (dist/edge), printing its size
 * against the Workers limits. The widget's built assets are copied from --assets (default dist/widget).
 */
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { indexSize } from './persist.js';
import { Library, defaultIndexDir } from './library.js';

const args = process.argv.slice(2);
const edge = args.includes('--edge');
const vectorsArg = args.includes('--vectors') ? args[args.indexOf('--vectors') + 1] : 'auto';
const assetsArg = args.includes('--assets') ? args[args.indexOf('--assets') + 1] : 'dist/widget';

async function main(): Promise<void> {
  const config = loadConfig();
  if (args.includes('--vectors') && !['auto', 'dense', 'sparse', 'int8'].includes(vectorsArg)) throw new Error('--vectors must be auto, dense, sparse or int8');
  const roots = [config.KNOWLEDGE_DIR, ...config.KNOWLEDGE_EXTRA_DIRS];
  const indexDir = defaultIndexDir(config.DATA_DIR);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: '{stage} {bar} {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let stage = '';
  const { rmSync } = await import('node:fs');
  rmSync(`${indexDir}/manifest.json`, { force: true }); // kb:build always rebuilds
  const library = await Library.open(
    {
      roots,
      indexDir,
      embeddings: { url: config.EMBEDDINGS_URL, model: config.EMBEDDINGS_MODEL, apiKey: config.EMBEDDINGS_API_KEY, batch: config.EMBEDDINGS_BATCH, timeoutMs: config.EMBEDDINGS_TIMEOUT_MS, retries: config.EMBEDDINGS_RETRIES },
    },
    (p) => {
      if (!bar) return;
      if (p.stage !== stage) {
        if (stage) bar.stop();
        stage = p.stage;
        bar.start(p.total, 0, { stage: p.stage.padEnd(6) });
      }
      bar.update(p.done, { stage: p.stage.padEnd(6) });
    },
  );
  bar?.stop();
  const m = library.manifest;
  console.log(
    `built index of ${m.guides} guides, ${m.chunks} chunks in ${m.buildMs} ms (embedder ${m.embedder}); ${(indexSize(indexDir) / 1024).toFixed(0)} KiB in ${indexDir}`,
  );
  if (edge) {
    const { writeEdgeBundle } = await import('../edge/bundle.js');
    const { buildWorker, formatReport } = await import('../edge/build.js');
    const { loadDictionary } = await import('./dictionary.js');
    const { join } = await import('node:path');
    const bundleDir = join(config.DATA_DIR, 'edge');
    const em = writeEdgeBundle(library.current, m, loadDictionary(roots), bundleDir, { vectors: vectorsArg as 'auto' });
    const files = Object.entries(em.files).map(([f, s]) => `${f} ${(s.gzip / 1024).toFixed(0)} KiB`);
    console.log(`edge bundle in ${bundleDir}: vectors ${em.vectors.encoding} (${em.vectors.count} × ${em.vectors.dim}); gzip ${files.join(', ')}`);
    const report = await buildWorker({ bundleDir, outDir: 'dist/edge', assetsDir: assetsArg });
    console.log(formatReport(report));
    if (!report.fits.paid || !report.fits.uncompressed) process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

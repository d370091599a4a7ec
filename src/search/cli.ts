/**
 * npm run kb:build — builds the BM25 and vector indexes for the configured knowledge roots and
 * persists them under DATA_DIR/index, where the server loads them at start-up.
 */
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { indexSize } from './persist.js';
import { Library, defaultIndexDir } from './library.js';

async function main(): Promise<void> {
  const config = loadConfig();
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
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

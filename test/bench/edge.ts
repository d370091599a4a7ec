/**
 * npm run bench:edge — the Cloudflare Workers edge, for the 42 guides and for the 42 + 2,262
 * imported Guangdong guides:
 *   worker size (gzip, against the 3 MiB free / 10 MiB paid limits);
 *   in Node (V8, as workerd): exact cosine top-60 over the prebuilt vectors vs the origin's vector index
 *   (exact over lists per dimension for the hashing embedder's sparse vectors, hnswlib for dense ones), per query;
 *   in workerd (Miniflare): start-up to ready, the isolate's first request (loads the bundle and
 *   builds jieba's dictionary), workerd's resident memory after it, and warm /api/chat latency
 *   (KV sessions, records sent to a real origin) over the eval questions.
 * Figures are medians (lowest–highest) of several runs. `--quick`: fewer runs, 42 guides only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Miniflare } from 'miniflare';
import { writeEdgeBundle } from '../../src/edge/bundle.js';
import { buildWorker, type WorkerBuildReport } from '../../src/edge/build.js';
import { FlatVectorIndex } from '../../src/edge/vectors.js';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { loadDictionary } from '../../src/search/dictionary.js';
import { Library } from '../../src/search/library.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { EDGE_TOKEN, edgeChat, startOrigin, startWorker, wranglerSettings, type BuiltWorker } from '../support/edge.js';
import { machine, percentile, spread } from './stats.js';

const quick = process.argv.includes('--quick');
const STARTS = quick ? 2 : 3;
const QUERIES = quick ? 200 : 1000;
const IMPORTED = 'data/imported/gdzwfw';
const questions = [...readJsonl<Question>('test/eval/questions.jsonl'), ...readJsonl<Question>('test/eval/imported.jsonl')].flatMap((q) => [q.q, ...(q.then ?? []).map((f) => f.q)]);

/** Resident memory of the workerd processes Miniflare started (children of this process), in MiB. */
function workerdRss(): number {
  const out = execFileSync('ps', ['-o', 'rss=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => /workerd/.test(l))
    .reduce((s, l) => s + Number(l.trim().split(/\s+/)[0]) / 1024, 0);
}

const p = (xs: number[]) => `${percentile(xs, 50).toFixed(2)} / ${percentile(xs, 99).toFixed(2)}`;

async function measure(name: string, roots: string[], origin: Awaited<ReturnType<typeof startOrigin>>) {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-bench-edge-'));
  try {
    const library = await Library.open({ roots, indexDir: join(dir, 'index') });
    writeEdgeBundle(library.current, library.manifest, loadDictionary(roots), join(dir, 'bundle'));
    const report: WorkerBuildReport = await buildWorker({ bundleDir: join(dir, 'bundle'), outDir: join(dir, 'out') });

    // Vector search alone, in V8: exact over the bundle's vectors vs the origin's index.
    const flat = FlatVectorIndex.decode(readFileSync(join(dir, 'bundle', 'vectors.bin')));
    const originVectors = library.current.vectors;
    const embedded = await Promise.all(questions.slice(0, 300).map((q) => library.current.embedQuery(q)));
    const exact: number[] = [];
    const approx: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const v = embedded[i % embedded.length];
      let t = performance.now();
      flat.search(v, 60);
      exact.push(performance.now() - t);
      t = performance.now();
      originVectors.search(v, 60);
      approx.push(performance.now() - t);
    }

    // What the loaded bundle holds in V8 (the isolate's share of the 128 MB), in a fresh process.
    const mem = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/edge-memory.ts', join(dir, 'bundle')], { encoding: 'utf8' }).trim().split('\n').at(-1)!,
    ) as { ms: number; heap: number; external: number; modules: number };

    const built: BuiltWorker = { dir, report, assetsDir: join(dir, 'out', 'public'), dispose: () => {} };
    const settings = await wranglerSettings();
    const ready: number[] = [];
    const first: number[] = [];
    const rss: number[] = [];
    const rssBefore: number[] = [];
    let warm: number[] = [];
    for (let s = 0; s < STARTS; s++) {
      const t0 = performance.now();
      const mf: Miniflare = await startWorker(built, settings, { ORIGIN_URL: origin.url, EDGE_INGEST_TOKEN: EDGE_TOKEN });
      ready.push(performance.now() - t0);
      rssBefore.push(workerdRss());
      const t1 = performance.now();
      const r = await edgeChat(mf, { message: '身份证丢了怎么办' });
      await r.text();
      first.push(performance.now() - t1);
      rss.push(workerdRss());
      if (s === 0) {
        for (let i = 0; i < QUERIES; i++) {
          const t = performance.now();
          const res = await edgeChat(mf, { message: questions[i % questions.length] });
          await res.text();
          warm.push(performance.now() - t);
        }
      }
      await mf.dispose();
    }
    warm = warm.slice(20); // after the first few (JIT)
    return {
      name,
      guides: library.kb.guides.length,
      chunks: library.manifest.chunks,
      gzip: `${(report.total.gzip / 2 ** 20).toFixed(2)} MiB (${report.fits.free ? 'free and paid' : report.fits.paid ? 'paid plan only' : 'too big'})`,
      raw: `${(report.total.bytes / 2 ** 20).toFixed(1)} MiB`,
      exact: p(exact),
      approx: p(approx),
      ready: spread(ready.map((x) => x / 1000), 2),
      first: spread(first.map((x) => x / 1000), 2),
      rss: `${spread(rssBefore, 0)} → ${spread(rss, 0)}`,
      heap: `${(mem.heap + mem.external + mem.modules).toFixed(0)} = heap ${mem.heap.toFixed(0)} + jieba ${mem.external.toFixed(0)} + bundle modules ${mem.modules.toFixed(0)} (load ${(mem.ms / 1000).toFixed(2)} s)`,
      warm: p(warm),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const origin = await startOrigin();
const rows = [];
try {
  rows.push(await measure('42 guides', ['knowledge'], origin));
  if (!quick) {
    if (!existsSync(`${IMPORTED}/.import.json`)) await importGdzwfwFile('../shared/data/gd-service-guides.jsonl', IMPORTED);
    rows.push(await measure('42 + 2,262 imported', ['knowledge', IMPORTED], origin));
  }
} finally {
  await origin.dispose();
}

console.log(`\nEdge benchmark — ${machine()}${quick ? ' (quick)' : ''}; workerd via Miniflare, ${STARTS} cold starts, ${QUERIES} queries rotating ${questions.length} real questions\n`);
console.log('| knowledge base | guides | chunks | worker gzip | worker raw | top-60 vectors ms p50 / p99, exact JS | same, origin index | memory the loaded bundle holds, MiB (V8 in Node) | workerd ready s | first request s (loads index) | workerd RSS MiB before → after | warm /api/chat ms p50 / p99 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.guides} | ${r.chunks} | ${r.gzip} | ${r.raw} | ${r.exact} | ${r.approx} | ${r.heap} | ${r.ready} | ${r.first} | ${r.rss} | ${r.warm} |`);
console.log('\nWorkers limits: 3 MiB (free) / 10 MiB (paid) compressed, 64 MiB uncompressed, 128 MB memory per isolate, 1 s start-up (the index loads on the first request, not at start-up).');

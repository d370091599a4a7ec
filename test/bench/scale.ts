/**
 * npm run bench:scale — how cost grows with the knowledge base. The 42 guides plus synthetic
 * growth made from the real imported Guangdong guides: each imported guide as it is, then copies
 * of it with an id suffix (-c1, -c2 …) and the title and region of another Guangdong city, until
 * the index holds the target number of chunks (10k, 100k). For each size: index build time (one
 * process per build, as the server builds: parse, BM25F, embed, vector index, persist), peak memory of
 * the build, persisted size, cold start of dist/main.js from the persisted index to the first 200
 * from /healthz with the server's RSS then, and retrieval latency p50/p99 (Answerer.analyze, in the
 * build's process) with hit@1 of the main questions (their guides are still among the many).
 * The synthetic folders are kept under data/bench/ and reused when present.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadKnowledgeBase } from '../../src/kb/load.js';
import { buildChunks } from '../../src/search/chunks.js';
import { defaultIndexDir } from '../../src/search/library.js';
import { indexSize } from '../../src/search/persist.js';
import { ensureImported, IMPORTED } from './retrieval.js';
import { coldStart } from './server.js';
import { isMain, machine, median, spread } from './stats.js';

const CITIES = ['广州市', '深圳市', '珠海市', '汕头市', '佛山市', '韶关市', '湛江市', '肇庆市', '江门市', '茂名市', '惠州市', '梅州市', '汕尾市', '河源市', '阳江市', '清远市', '东莞市', '中山市', '潮州市', '揭阳市', '云浮市'];
const GENERATOR = 2;

/** Rewrites a guide file's front matter for copy k (k = 0: the guide as it is): id, title, region and aliases name another city. */
export function copyOf(text: string, k: number): string {
  if (k === 0) return text;
  const end = text.indexOf('\n---', 3);
  const city = CITIES[(k - 1) % CITIES.length];
  const fm = parse(text.slice(text.indexOf('\n') + 1, end + 1)) as Record<string, unknown>;
  fm.id = `${String(fm.id)}-c${k}`;
  fm.title = `${String(fm.title)}（${city}）`;
  fm.region = city;
  // An alias must name one service: each copy's aliases say their city too.
  if (Array.isArray(fm.aliases)) fm.aliases = fm.aliases.map((a) => `${String(a)}（${city}）`);
  return `---\n${stringify(fm, { lineWidth: 0 })}${text.slice(end + 1)}`;
}

/** A knowledge root whose guides (copies of `source`'s), with the 42 of knowledge/, make about `target` chunks. */
export function syntheticRoot(target: number, root = `data/bench/scale-${target}`, source = IMPORTED): string {
  const marker = join(root, '.synthetic.json');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { target: number; generator: number; source: string };
    if (m.generator === GENERATOR && m.target === target && m.source === source) return root;
  }
  rmSync(root, { recursive: true, force: true });
  const base = buildChunks(loadKnowledgeBase(['knowledge'])).length;
  const kb = loadKnowledgeBase([source]);
  const perGuide = new Map<string, number>();
  for (const c of buildChunks(kb)) perGuide.set(c.guideId, (perGuide.get(c.guideId) ?? 0) + 1);
  const guides = [...kb.guides].sort((a, b) => a.id.localeCompare(b.id));
  let chunks = base;
  let files = 0;
  // Guides of knowledge/ are in the index already: their copies start at -c1.
  for (let k = source === 'knowledge' ? 1 : 0; chunks < target; k++) {
    for (const g of guides) {
      if (chunks >= target) break;
      const dir = join(root, 'guides', g.department);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${g.id}${k ? `-c${k}` : ''}.md`), copyOf(readFileSync(g.file, 'utf8'), k));
      chunks += perGuide.get(g.id) ?? 0;
      files++;
    }
  }
  writeFileSync(marker, JSON.stringify({ target, generator: GENERATOR, source, guides: files, chunks }));
  return root;
}

interface Built {
  guides: number;
  chunks: number;
  buildMs: number;
  indexMs: number;
  maxRss: number;
  p50: number;
  p99: number;
  hit1: number | null;
}

function buildOnce(roots: string[], indexDir: string, queries: number, score: boolean): Promise<Built> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/scale-worker.ts', JSON.stringify({ roots, indexDir, queries, score })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`scale worker exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Built);
      } catch (e) {
        reject(new Error(`scale worker printed no result: ${(e as Error).message}`));
      }
    });
  });
}

export interface ScaleRow {
  target: number;
  guides: number;
  chunks: number;
  build: number[];
  maxRss: number[];
  size: number;
  start: number[];
  rss: number[];
  p50: number[];
  p99: number[];
  /** Of the main questions; not scored when the copies are of knowledge/'s guides (they would compete with their originals). */
  hit1: number | null;
}

export interface ScaleSize {
  target: number;
  /** The guides copied: the imported ones (default), or knowledge/'s own (the smoke run: nothing to import). */
  source?: string;
  builds: number;
  starts: number;
  queries: number;
}

export const SCALE_FULL: ScaleSize[] = [
  { target: 10_000, builds: 3, starts: 3, queries: 1000 },
  { target: 100_000, builds: 3, starts: 3, queries: 1000 },
];
export const SCALE_SMOKE: ScaleSize[] = [{ target: 1_500, source: 'knowledge', builds: 1, starts: 1, queries: 100 }];

export async function benchScale(o: { sizes?: ScaleSize[]; log?: (s: string) => void } = {}): Promise<{ rows: ScaleRow[]; markdown: string }> {
  const log = o.log ?? ((s: string) => console.error(s));
  const rows: ScaleRow[] = [];
  for (const s of o.sizes ?? SCALE_FULL) {
    if (!s.source) await ensureImported();
    const root = syntheticRoot(s.target, `data/bench/scale-${s.target}${s.source ? `-${s.source}` : ''}`, s.source);
    const roots = ['knowledge', root];
    const dataDir = mkdtempSync(join(tmpdir(), 'govchat-bench-scale-'));
    const indexDir = defaultIndexDir(dataDir);
    try {
      const built: Built[] = [];
      for (let b = 0; b < s.builds; b++) {
        built.push(await buildOnce(roots, indexDir, s.queries, !s.source));
        log(`  scale ${s.target}: build ${b + 1}/${s.builds} ${(built[b].buildMs / 1000).toFixed(1)} s, ${built[b].chunks} chunks, query p99 ${built[b].p99.toFixed(2)} ms`);
      }
      const size = indexSize(indexDir);
      const starts: { ms: number; rss: number }[] = [];
      for (let i = 0; i < s.starts; i++) {
        starts.push(await coldStart({ KNOWLEDGE_DIR: 'knowledge', KNOWLEDGE_EXTRA_DIRS: root, DATA_DIR: dataDir }));
        log(`  scale ${s.target}: cold start ${(starts[i].ms / 1000).toFixed(1)} s, RSS ${(starts[i].rss / 2 ** 20).toFixed(0)} MiB`);
      }
      rows.push({
        target: s.target,
        guides: built[0].guides,
        chunks: built[0].chunks,
        build: built.map((b) => b.buildMs / 1000),
        maxRss: built.map((b) => b.maxRss),
        size,
        start: starts.map((x) => x.ms / 1000),
        rss: starts.map((x) => x.rss),
        p50: built.map((b) => b.p50),
        p99: built.map((b) => b.p99),
        hit1: built[0].hit1,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { rows, markdown: scaleMarkdown(rows) };
}

export function scaleMarkdown(rows: ScaleRow[]): string {
  const mib = (xs: number[]) => spread(xs.map((x) => x / 2 ** 20), 0);
  const out = [
    'The 42 guides plus the imported Guangdong guides, then copies of them (id suffix, another city in title, region and aliases) up to the size. Build: a fresh process builds and persists the index as the server does (parse, BM25F, embeddings, vector index, write), peak RSS of that process. Cold start: `node dist/main.js` from the persisted index to the first 200 from /healthz, the server\'s RSS then. Query: Answerer.analyze in the build\'s process, rotating the main questions; hit@1 of the main questions (their guides are still among the many).',
    '',
    '| knowledge base | guides | chunks | index build s | build peak RSS MiB | index on disk MiB | cold start s | server RSS MiB | query ms p50 | query ms p99 | main hit@1 | runs (builds / starts) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.target.toLocaleString('en')} chunks (42 + synthetic) | ${r.guides.toLocaleString('en')} | ${r.chunks.toLocaleString('en')} | ${spread(r.build, 1)} | ${mib(r.maxRss)} | ${(r.size / 2 ** 20).toFixed(0)} | ${spread(r.start, 2)} | ${mib(r.rss)} | ${spread(r.p50, 2)} | ${spread(r.p99, 2)} | ${r.hit1 === null ? '–' : r.hit1.toFixed(3)} | ${r.build.length} / ${r.start.length} |`,
    ),
  ];
  if (rows.length > 1) {
    const [a, b] = [rows[0], rows[rows.length - 1]];
    const x = (p: number[], q: number[]) => (median(q) / median(p)).toFixed(1);
    out.push(
      '',
      `From ${a.chunks.toLocaleString('en')} to ${b.chunks.toLocaleString('en')} chunks (×${(b.chunks / a.chunks).toFixed(1)}): build ×${x(a.build, b.build)}, index on disk ×${(b.size / a.size).toFixed(1)}, server RSS ×${x(a.rss, b.rss)}, cold start ×${x(a.start, b.start)}, query p99 ×${x(a.p99, b.p99)}.`,
    );
  }
  return out.join('\n');
}

if (isMain(import.meta.url)) {
  const smoke = process.argv.includes('--smoke');
  const only = process.argv.find((a) => a.startsWith('--size='));
  if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const picked = smoke ? SCALE_SMOKE : only ? SCALE_FULL.filter((s) => s.target === Number(only.slice(7))) : SCALE_FULL;
  // --quick: one build and one start per size (for trying it out; not for the report).
  const sizes = process.argv.includes('--quick') ? picked.map((s) => ({ ...s, builds: 1, starts: 1, queries: 300 })) : picked;
  const { markdown } = await benchScale({ sizes });
  console.log(`\n## Scale — ${machine()}${smoke ? ' (smoke)' : ''}\n\n${markdown}`);
}

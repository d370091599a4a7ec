/**
 * npm run bench:retrieval — the project's retriever beside three peer libraries on the same
 * corpus and the same questions (see peers.ts for how each indexes): hit@1, hit@3, MRR over the
 * first 10 guides, and query latency p50/p99 in process.
 *
 * The project's figure is retrieval ranking: the guide ranking of Answerer.analyze (typo
 * correction, aspect cue stripped, hybrid search), the ranking the eval's hit@k reads. Questions:
 * the answerable first turns (expect "answer") of each set; follow-ups need a conversation and
 * are the eval's business. Every retriever answers every question in one pass, the order of the
 * retrievers turning each pass, so latencies are interleaved in the same minute; each latency is
 * the median of the passes' p50/p99 with their spread. `--smoke`: the 42 guides only, one pass.
 */
import { existsSync } from 'node:fs';
import { Answerer } from '../../src/answer/answerer.js';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/kb/load.js';
import { buildChunks } from '../../src/search/chunks.js';
import { HashingEmbedder } from '../../src/search/embedder.js';
import { createTokenizer } from '../../src/search/library.js';
import { buildSearchIndex } from '../../src/search/persist.js';
import type { Tokenizer } from '../../src/search/tokenizer.js';
import { readJsonl, type Question } from '../eval/harness.js';
import { GUIDE_DEPTH, langchainPeer, miniSearchPeer, oramaPeer, type Retriever } from './peers.js';
import { isMain, machine, median, percentile, spread } from './stats.js';

export const IMPORTED = 'data/imported/gdzwfw';
export const IMPORT_FILE = '../shared/data/gd-service-guides.jsonl';

/** The imported guides (made once from the shared export, as the eval does). */
export async function ensureImported(): Promise<void> {
  if (!existsSync(`${IMPORTED}/.import.json`)) await importGdzwfwFile(IMPORT_FILE, IMPORTED);
}

interface Asked {
  q: string;
  want: Set<string>;
}

function answerable(path: string): Asked[] {
  return readJsonl<Question>(path)
    .filter((q) => q.expect === 'answer')
    .map((q) => ({ q: q.q, want: new Set([...(q.guide ? [q.guide] : []), ...(q.guides ?? [])]) }))
    .filter((q) => q.want.size > 0);
}

export interface RetrievalRow {
  corpus: string;
  set: string;
  questions: number;
  /** Questions in each timed pass (pooled from the corpus's sets). */
  timed: number;
  retriever: string;
  project: boolean;
  hit1: number;
  hit3: number;
  mrr: number;
  p50: number[];
  p99: number[];
  buildS: number;
}

/** The project's retriever; like the peers it gets the loaded guides and its tokenizer ready, and builds its index from them. */
function project(kb: KnowledgeBase, tokenizer: Tokenizer): Retriever {
  let answerer: Answerer | null = null;
  return {
    name: 'govchat (hybrid BM25F + vectors + names)',
    how: 'chunks; BM25F + exact sparse vectors fused by rank, names, guides by best chunk (Answerer.analyze)',
    async build() {
      const { index } = await buildSearchIndex(kb, tokenizer, new HashingEmbedder(tokenizer));
      answerer = new Answerer(() => index, { minConfidence: 0.5 });
    },
    async rank(q) {
      const a = await answerer!.analyze(q, GUIDE_DEPTH);
      return a.result.guides.map((g) => g.guideId);
    },
  };
}

async function corpus(name: string, roots: string[], sets: [string, Asked[]][], passes: number, latencyQueries: number, log: (s: string) => void): Promise<RetrievalRow[]> {
  const kb = loadKnowledgeBase(roots);
  const chunks = buildChunks(kb);
  const retrievers: Retriever[] = [project(kb, createTokenizer(roots)), oramaPeer(), miniSearchPeer(createTokenizer(roots)), langchainPeer(new HashingEmbedder(createTokenizer(roots)))];
  const builds = new Map<Retriever, number>();
  for (const r of retrievers) {
    const t = performance.now();
    await r.build(chunks);
    builds.set(r, (performance.now() - t) / 1000);
    log(`  ${name}: built ${r.name} over ${chunks.length} chunks in ${builds.get(r)!.toFixed(1)} s`);
  }
  // Accuracy, one pass per set (also the warm-up).
  const accuracy = new Map<string, Map<Retriever, { hit1: number; hit3: number; rr: number }>>();
  for (const [set, asked] of sets) {
    const per = new Map(retrievers.map((r) => [r, { hit1: 0, hit3: 0, rr: 0 }]));
    for (const r of retrievers) {
      const s = per.get(r)!;
      for (const a of asked) {
        const rank = (await r.rank(a.q)).findIndex((g) => a.want.has(g));
        if (rank === 0) s.hit1++;
        if (rank >= 0 && rank < 3) s.hit3++;
        if (rank >= 0) s.rr += 1 / (rank + 1);
      }
    }
    accuracy.set(set, per);
    log(`  ${name}, ${set}: ${asked.length} questions scored`);
  }
  // Latency is the retriever's on this corpus: timed passes over questions pooled from every set
  // (evenly spaced when there are more than `latencyQueries`), the retrievers' order turning each pass.
  const pool = sets.flatMap(([, asked]) => asked.map((a) => a.q));
  const timed = pool.length <= latencyQueries ? pool : Array.from({ length: latencyQueries }, (_, i) => pool[Math.floor((i * pool.length) / latencyQueries)]);
  const lat = new Map(retrievers.map((r) => [r, { p50: [] as number[], p99: [] as number[] }]));
  for (let p = 0; p < passes; p++) {
    for (const r of retrievers.map((_, i) => retrievers[(i + p) % retrievers.length])) {
      const ms: number[] = [];
      for (const q of timed) {
        const t = performance.now();
        await r.rank(q);
        ms.push(performance.now() - t);
      }
      lat.get(r)!.p50.push(percentile(ms, 50));
      lat.get(r)!.p99.push(percentile(ms, 99));
    }
  }
  log(`  ${name}: latency, ${passes} pass(es) of ${timed.length} queries`);
  const rows: RetrievalRow[] = [];
  for (const [set, asked] of sets) {
    for (const r of retrievers) {
      const s = accuracy.get(set)!.get(r)!;
      const n = asked.length;
      rows.push({ corpus: name, set, questions: n, timed: timed.length, retriever: r.name, project: r === retrievers[0], hit1: s.hit1 / n, hit3: s.hit3 / n, mrr: s.rr / n, p50: lat.get(r)!.p50, p99: lat.get(r)!.p99, buildS: builds.get(r)! });
    }
  }
  return rows;
}

export function retrievalMarkdown(rows: RetrievalRow[], passes: number): string {
  const f3 = (x: number) => x.toFixed(3);
  const out = [
    '| corpus | questions | retriever | hit@1 | hit@3 | MRR | query ms p50 | query ms p99 | build s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.corpus} | ${r.set} (${r.questions}) | ${r.project ? `**${r.retriever}**` : r.retriever} | ${f3(r.hit1)} | ${f3(r.hit3)} | ${f3(r.mrr)} | ${spread(r.p50, 2)} | ${spread(r.p99, 2)} | ${r.buildS.toFixed(1)} |`),
    '',
    `Latency is per corpus: ${[...new Set(rows.map((r) => `${r.corpus}: ${passes} pass(es) of ${r.timed} questions`))].join('; ')}, pooled from its question sets, every retriever in each pass, their order turning; median of the passes (lowest–highest). Build: one build each, in memory, from the same loaded guides and chunks with the tokenizer made beforehand (the project's: BM25F, embeddings, vector index).`,
    '',
    'Ratios: the project against the fastest peer whose hit@1 is equal or better (if no peer is as accurate: against the most accurate peer), and its p99 against the fastest peer of any accuracy.',
    '',
    '| corpus | questions | reference peer | hit@1 ÷ ref | MRR ÷ ref | p50 ÷ ref | p99 ÷ ref | p99 ÷ fastest peer (which) | most accurate? | no slower than fastest peer of equal accuracy? |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const groups = new Map<string, RetrievalRow[]>();
  for (const r of rows) groups.set(`${r.corpus}\0${r.set}`, [...(groups.get(`${r.corpus}\0${r.set}`) ?? []), r]);
  for (const g of groups.values()) {
    const me = g.find((r) => r.project)!;
    const peers = g.filter((r) => !r.project);
    const byP99 = (a: RetrievalRow, b: RetrievalRow) => median(a.p99) - median(b.p99);
    const asGood = peers.filter((p) => p.hit1 >= me.hit1).sort(byP99);
    const ref = asGood[0] ?? [...peers].sort((a, b) => b.hit1 - a.hit1 || b.mrr - a.mrr)[0];
    const fastest = [...peers].sort(byP99)[0];
    const ratio = (a: number, b: number, d = 2) => (b > 0 ? (a / b).toFixed(d) : '–');
    const mostAccurate = peers.every((p) => me.hit1 > p.hit1 || (me.hit1 === p.hit1 && me.mrr >= p.mrr));
    // "No slower" needs both the typical and the tail latency.
    const noSlower = !asGood.length
      ? `no peer as accurate; ${median(me.p50) <= median(ref.p50) && median(me.p99) <= median(ref.p99) ? 'faster' : 'slower'} than the most accurate`
      : median(me.p50) <= median(asGood[0].p50) && median(me.p99) <= median(asGood[0].p99)
        ? 'yes'
        : `no (p50 ${ratio(median(me.p50), median(asGood[0].p50))}×, p99 ${ratio(median(me.p99), median(asGood[0].p99))}×)`;
    out.push(
      `| ${me.corpus} | ${me.set} (${me.questions}) | ${ref.retriever}${asGood.length ? '' : ' (most accurate peer)'} | ${ratio(me.hit1, ref.hit1)} | ${ratio(me.mrr, ref.mrr)} | ${ratio(median(me.p50), median(ref.p50))} | ${ratio(median(me.p99), median(ref.p99))} | ${ratio(median(me.p99), median(fastest.p99))} (${fastest.retriever}) | ${mostAccurate ? 'yes' : 'no'} | ${noSlower} |`,
    );
  }
  return out.join('\n');
}

export async function benchRetrieval(o: { smoke?: boolean; log?: (s: string) => void } = {}): Promise<{ rows: RetrievalRow[]; markdown: string }> {
  const log = o.log ?? ((s: string) => console.error(s));
  const passes = o.smoke ? 1 : 3;
  const main = answerable('test/eval/questions.jsonl');
  const rows = await corpus('42 guides', ['knowledge'], [['main', o.smoke ? main.slice(0, 40) : main]], passes, 400, log);
  if (!o.smoke) {
    await ensureImported();
    const sets: [string, Asked[]][] = [['main', main]];
    if (existsSync('test/eval/imported.jsonl')) sets.push(['imported', answerable('test/eval/imported.jsonl')]);
    if (existsSync('test/eval/imported-holdout.jsonl')) sets.push(['imported held-out', answerable('test/eval/imported-holdout.jsonl')]);
    rows.push(...(await corpus('42 + 2,262 imported', ['knowledge', IMPORTED], sets, passes, 150, log)));
  }
  return { rows, markdown: retrievalMarkdown(rows, passes) };
}

if (isMain(import.meta.url)) {
  const smoke = process.argv.includes('--smoke');
  const { markdown } = await benchRetrieval({ smoke });
  console.log(`\n## Retrieval against peers — ${machine()}${smoke ? ' (smoke)' : ''}\n\n${markdown}`);
}

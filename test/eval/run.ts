/**
 * npm run eval — prints the retrieval and intent evaluation:
 *   main set (test/eval/questions.jsonl) over the 42 guides, with and without character bigrams;
 *   the same with the 2,262 imported Guangdong guides added, plus the imported-service questions
 *   and a held-out set of imported-service questions that was never used for tuning;
 *   intent accuracy per intent (test/eval/intents.jsonl).
 * Writes reports/eval.json. `--quick` runs only the configuration the server uses. `--edge` adds
 * the same questions asked of the Cloudflare worker in workerd (test/eval/edge.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { DEFAULT_TOKENIZER } from '../../src/search/library.js';
import { evalServices, readJsonl, runIntents, runQuestions, type IntentRow, type Metrics, type Question } from './harness.js';

const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose') || args.has('-v');
const quick = args.has('--quick');
const IMPORTED = 'data/imported/gdzwfw';
const EXPORT = '../shared/data/gd-service-guides.jsonl';

const main = readJsonl<Question>('test/eval/questions.jsonl');
const imported = existsSync('test/eval/imported.jsonl') ? readJsonl<Question>('test/eval/imported.jsonl') : [];
// Written afterwards by someone who never saw the system's output, and never used for tuning.
const holdout = existsSync('test/eval/imported-holdout.jsonl') ? readJsonl<Question>('test/eval/imported-holdout.jsonl') : [];
const intents = readJsonl<IntentRow>('test/eval/intents.jsonl');

function row(name: string, m: Metrics): string {
  return `| ${name} | ${m.questions} | ${m.answered.toFixed(3)} | ${m.hit1.toFixed(3)} | ${m.hit3.toFixed(3)} | ${m.mrr.toFixed(3)} | ${m.aspect.toFixed(3)} | ${m.followupGuide.toFixed(3)} / ${m.followupAspect.toFixed(3)} (${m.followups}) | ${m.falseAnswers}/${m.noAnswer} | ${m.clarifyAccuracy.toFixed(3)} (${m.clarify}) | ${m.latencyP50.toFixed(2)} / ${m.latencyP99.toFixed(2)} |`;
}
const HEADER = [
  '| configuration | questions | answered right | hit@1 | hit@3 | MRR | aspect | follow-ups guide / aspect (n) | cited answers to out-of-scope | clarify (n) | reply ms p50 / p99 |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];

async function measure(name: string, roots: string[], questions: Question[], tokenizer = DEFAULT_TOKENIZER) {
  const key = `${roots.length}-${tokenizer.bigrams ? 'bigrams' : 'words'}`;
  const { services, dispose } = await evalServices(roots, tokenizer, `data/eval-index/${key}`);
  try {
    const m = await runQuestions(services, questions);
    if (verbose) for (const x of m.misses) console.log(`  miss ${x}`);
    return { name, metrics: m, services };
  } finally {
    await dispose();
  }
}

const report: Record<string, unknown> = { date: new Date().toISOString() };
const rows: string[] = [];
const withBigrams = { ...DEFAULT_TOKENIZER, bigrams: true };
const withoutBigrams = { ...DEFAULT_TOKENIZER, bigrams: false };

const served = await measure(`42 guides, words${DEFAULT_TOKENIZER.bigrams ? ' + bigrams' : ''} (served)`, ['knowledge'], main, DEFAULT_TOKENIZER);
rows.push(row(served.name, served.metrics));
report.main = served.metrics;
if (args.has('--edge')) {
  const { measureEdge } = await import('./edge.js');
  const edge = await measureEdge(main);
  rows.push(row('42 guides, edge (workerd: jieba-wasm, exact cosine, KV sessions; over HTTP)', edge));
  report.edge = edge;
}
if (!quick) {
  const alt = DEFAULT_TOKENIZER.bigrams ? withoutBigrams : withBigrams;
  const other = await measure(`42 guides, words${alt.bigrams ? ' + bigrams' : ' only'}`, ['knowledge'], main, alt);
  rows.push(row(other.name, other.metrics));
  report.mainAlternative = other.metrics;
  if (!existsSync(`${IMPORTED}/.import.json`)) await importGdzwfwFile(EXPORT, IMPORTED);
  const big = await measure('42 + 2,262 imported, main questions', ['knowledge', IMPORTED], main);
  rows.push(row(big.name, big.metrics));
  report.mainWithImported = big.metrics;
  if (imported.length) {
    const imp = await measure('42 + 2,262 imported, imported-service questions', ['knowledge', IMPORTED], imported);
    rows.push(row(imp.name, imp.metrics));
    report.imported = imp.metrics;
  }
  if (holdout.length) {
    const held = await measure('42 + 2,262 imported, held-out questions', ['knowledge', IMPORTED], holdout);
    rows.push(row(held.name, held.metrics));
    report.importedHoldout = held.metrics;
  }
}

console.log('\nRetrieval and answers\n');
console.log([...HEADER, ...rows].join('\n'));

const { services, dispose } = await evalServices(['knowledge'], DEFAULT_TOKENIZER, 'data/eval-index/1-words');
const it = await runIntents(services, intents);
await dispose();
report.intents = it;
console.log(`\nIntents (${it.n} messages): accuracy ${it.accuracy.toFixed(3)}\n`);
console.log('| intent | messages | accuracy |\n|---|---|---|');
for (const [k, v] of Object.entries(it.perIntent)) console.log(`| ${k} | ${v.n} | ${v.accuracy.toFixed(3)} |`);
if (verbose) for (const x of it.misses) console.log(`  miss ${x}`);

mkdirSync('reports', { recursive: true });
writeFileSync('reports/eval.json', JSON.stringify(report, null, 2));
console.log('\nwrote reports/eval.json');

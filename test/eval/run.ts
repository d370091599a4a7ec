/**
 * npm run eval — prints the retrieval and intent evaluation:
 *   main set (test/eval/questions.jsonl) over the 42 guides, with and without character bigrams;
 *   the same with the 2,262 imported Guangdong guides added, plus the imported-service questions
 *   and a held-out set of imported-service questions that was never used for tuning;
 *   intent accuracy per intent (test/eval/intents.jsonl).
 * Writes reports/eval.json. `--quick` runs only the configuration the server uses.
 * `--llm` runs the served configuration again through the configured language model (LLM_BASE_URL,
 * LLM_MODEL, LLM_API_KEY …) and reports how its replies fared: phrased, rejected by the check, timed out.
 * `--edge` adds the same questions asked of the Cloudflare worker in workerd (test/eval/edge.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { importGdzwfwFile } from '../../src/kb/import/run.js';
import { llmFallbacks, llmRequests } from '../../src/platform/metrics.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_TOKENIZER } from '../../src/search/library.js';
import { evalServices, readJsonl, runIntents, runQuestions, type IntentRow, type Metrics, type Question } from './harness.js';

const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose') || args.has('-v');
const withLlm = args.has('--llm');
const quick = args.has('--quick') || withLlm;
if (withLlm && !process.env.LLM_BASE_URL) {
  console.error(
    'npm run eval -- --llm needs a language model: set LLM_BASE_URL to an OpenAI-compatible chat endpoint (and LLM_MODEL, LLM_API_KEY if it needs them), e.g.\n' +
      '  LLM_BASE_URL=http://127.0.0.1:8000/v1 LLM_MODEL=qwen2.5-7b-instruct npm run eval -- --llm',
  );
  process.exit(2);
}
const llmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LLM_') || k === 'PROMPTS_DIR'));
const IMPORTED = 'data/imported/gdzwfw';
const EXPORT = '../shared/data/gd-service-guides.jsonl';

const main = readJsonl<Question>('test/eval/questions.jsonl');
const imported = existsSync('test/eval/imported.jsonl') ? readJsonl<Question>('test/eval/imported.jsonl') : [];
// Written afterwards by someone who never saw the system's output, and never used for tuning.
const holdout = existsSync('test/eval/imported-holdout.jsonl') ? readJsonl<Question>('test/eval/imported-holdout.jsonl') : [];
const intents = readJsonl<IntentRow>('test/eval/intents.jsonl');
// Written after the rules were last tuned, and not tuned on: the honest figure.
const intentHoldout = existsSync('test/eval/intents-holdout.jsonl') ? readJsonl<IntentRow>('test/eval/intents-holdout.jsonl') : [];

function row(name: string, m: Metrics): string {
  return `| ${name} | ${m.questions} | ${m.answered.toFixed(3)} | ${m.hit1.toFixed(3)} | ${m.hit3.toFixed(3)} | ${m.mrr.toFixed(3)} | ${m.aspect.toFixed(3)} | ${m.followupGuide.toFixed(3)} / ${m.followupAspect.toFixed(3)} (${m.followups}) | ${m.falseAnswers}/${m.noAnswer} | ${m.clarifyAccuracy.toFixed(3)} (${m.clarify}) | ${m.latencyP50.toFixed(2)} / ${m.latencyP99.toFixed(2)} |`;
}
const HEADER = [
  '| configuration | questions | answered right | hit@1 | hit@3 | MRR | aspect | follow-ups guide / aspect (n) | cited answers to out-of-scope | clarify (n) | reply ms p50 / p99 |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];

async function measure(name: string, roots: string[], questions: Question[], tokenizer = DEFAULT_TOKENIZER, env: Record<string, string | undefined> = {}) {
  const key = `${roots.length}-${tokenizer.bigrams ? 'bigrams' : 'words'}`;
  const { services, dispose } = await evalServices(roots, tokenizer, `data/eval-index/${key}`, env);
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

async function counts(counter: typeof llmRequests | typeof llmFallbacks, label: 'outcome' | 'reason') {
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) out[`${v.labels.task} ${(v.labels as Record<string, string | number | undefined>)[label]}`] = v.value;
  return out;
}
if (withLlm) {
  const m = await measure(`42 guides, language model ${loadConfig(llmEnv).LLM_MODEL}`, ['knowledge'], main, DEFAULT_TOKENIZER, llmEnv);
  rows.push(row(m.name, m.metrics));
  const requests = await counts(llmRequests, 'outcome');
  const fallbacks = await counts(llmFallbacks, 'reason');
  report.llm = { model: loadConfig(llmEnv).LLM_MODEL, metrics: m.metrics, requests, fallbacks };
  console.log('\nLanguage model calls (task outcome: n)\n');
  for (const [k, v] of Object.entries(requests)) console.log(`  ${k}: ${v}`);
  console.log('\nFallbacks (task reason: n)\n');
  for (const [k, v] of Object.entries(fallbacks)) console.log(`  ${k}: ${v}`);
  const phrased = requests['answer ok'] ?? 0;
  const tried = Object.entries(requests).filter(([k]) => k.startsWith('answer ')).reduce((s, [, v]) => s + v, 0);
  console.log(`\nAnswers phrased by the model and passing the check: ${phrased} of ${tried} (${tried ? ((100 * phrased) / tried).toFixed(1) : '0'}%)`);
}

console.log('\nRetrieval and answers\n');
console.log([...HEADER, ...rows].join('\n'));

const { services, dispose } = await evalServices(['knowledge'], DEFAULT_TOKENIZER, 'data/eval-index/1-words', withLlm ? llmEnv : {});
const it = await runIntents(services, intents);
const held = intentHoldout.length ? await runIntents(services, intentHoldout) : null;
await dispose();
report.intents = it;
if (held) report.intentsHoldout = held;
for (const [name, r] of [['test/eval/intents.jsonl', it], ['test/eval/intents-holdout.jsonl (held out)', held]] as const) {
  if (!r) continue;
  console.log(`\nIntents, ${name} (${r.n} messages${withLlm ? ', rules + language model check' : ''}): accuracy ${r.accuracy.toFixed(3)}\n`);
  console.log('| intent | messages | accuracy |\n|---|---|---|');
  for (const [k, v] of Object.entries(r.perIntent)) console.log(`| ${k} | ${v.n} | ${v.accuracy.toFixed(3)} |`);
  if (verbose) for (const x of r.misses) console.log(`  miss ${x}`);
}

mkdirSync('reports', { recursive: true });
writeFileSync('reports/eval.json', JSON.stringify(report, null, 2));
console.log('\nwrote reports/eval.json');

/**
 * Measures the similarity threshold used to group unanswered questions, on real examples: the
 * labelled eval questions (test/eval/questions.jsonl, 365 citizen-style questions), where two
 * questions about the same guide should share a group and questions about different guides (or
 * about nothing the guides cover) should not. Prints, per threshold, pair precision/recall/F1 of
 * the grouping (pair counting over the clusters) for plain and information-weighted Jaccard.
 *   npm run bench:unanswered
 */
import { readFileSync } from 'node:fs';
import { GROUP_THRESHOLD, groupSimilar, normalizeQuestion, type TermWeight } from '../../src/analytics/similarity.js';
import { Library, defaultIndexDir } from '../../src/search/library.js';

interface Q {
  id: string;
  q: string;
  guide?: string;
}
const rows = readFileSync('test/eval/questions.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Q);
const library = await Library.open({ roots: ['knowledge'], indexDir: defaultIndexDir('data') });
const idx = library.current;
const normalizer = { tokenizer: idx.tokenizer, stripAspect: (q: string) => idx.detectAspect(q).rest };
// Questions outside the guides (expect no_answer) are each their own topic.
const items = rows.map((r) => ({ q: r.q, label: r.guide ?? `none:${r.id}`, normalized: normalizeQuestion(r.q, normalizer) }));
let positives = 0;
for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) if (items[i].label === items[j].label) positives++;
console.log(`${items.length} questions, ${new Set(items.map((i) => i.label)).size} topics, ${positives} same-topic pairs`);

const fmt = (x: number) => x.toFixed(3);
function score(t: number, weight?: TermWeight) {
  const groups = groupSimilar(items, t, weight);
  let tp = 0;
  let fp = 0;
  for (const g of groups) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) (g[i].label === g[j].label ? tp++ : fp++);
  const p = tp + fp ? tp / (tp + fp) : 1;
  const r = tp / positives;
  // F0.5 weighs precision double: a group mixing two topics misleads the editors more than two groups of one topic.
  return { p, r, f: p + r ? (2 * p * r) / (p + r) : 0, f05: p + r ? (1.25 * p * r) / (0.25 * p + r) : 0, groups: groups.length };
}

const weighted: TermWeight = (t) => idx.weight(t);
console.log('threshold | plain Jaccard: P R F1 F0.5 groups | weighted Jaccard: P R F1 F0.5 groups');
const best = { plain: { t: 0, f: 0 }, weighted: { t: 0, f: 0 } };
for (let t = 0.06; t <= 0.601; t += 0.02) {
  const a = score(t);
  const b = score(t, weighted);
  if (a.f05 > best.plain.f) best.plain = { t, f: a.f05 };
  if (b.f05 > best.weighted.f) best.weighted = { t, f: b.f05 };
  console.log(`${fmt(t)} | ${fmt(a.p)} ${fmt(a.r)} ${fmt(a.f)} ${fmt(a.f05)} ${a.groups} | ${fmt(b.p)} ${fmt(b.r)} ${fmt(b.f)} ${fmt(b.f05)} ${b.groups}`);
}
const used = score(GROUP_THRESHOLD, weighted);
console.log(`best F0.5: plain ${fmt(best.plain.f)} at ${fmt(best.plain.t)}, weighted ${fmt(best.weighted.f)} at ${fmt(best.weighted.t)}`);
console.log(
  `in use (weighted, GROUP_THRESHOLD=${GROUP_THRESHOLD}): P ${fmt(used.p)} R ${fmt(used.r)} F1 ${fmt(used.f)} F0.5 ${fmt(used.f05)}, ${used.groups} groups for ${new Set(items.map((i) => i.label)).size} topics`,
);

import { maskPII } from '../platform/pii.js';
import type { Tokenizer } from '../search/tokenizer.js';

/**
 * Asking words left by the tokenizer's stop list: "X怎么办" and "Y怎么办" share them without
 * asking the same thing, so they are not counted when questions are compared.
 */
const ASKING = new Set(
  '怎么办 咋办 咋 怎么样 哪里 哪儿 哪 在哪 在哪里 去哪 去哪里 多少 啥 么 吗 呢 给 去 到 了 的 办 办理 弄 搞 问 问问 问一下 咨询 需要 得 会 有 没有 不 是不是 可不可以 行不行 你好 您好 谢谢 麻烦 帮 帮我 现在 今天 一下子 我家 家里'.split(' '),
);

export interface Normalizer {
  tokenizer: Tokenizer;
  /** Removes what the question asks about (材料, 多少钱 …), leaving the service it is about. */
  stripAspect?: (text: string) => string;
}

/**
 * The normalised form of a question, for grouping: personal data masked, typos corrected, the
 * aspect asked about removed (so "X要什么材料" and "X多少钱" fall together: both say X is missing),
 * segmented with the domain dictionary (synonyms folded), asking words and numbers dropped,
 * terms sorted and unique.
 */
export function normalizeQuestion(text: string, n: Normalizer): string {
  const masked = n.tokenizer.correct(maskPII(text).trim());
  const topic = n.stripAspect?.(masked) || masked;
  const terms = n.tokenizer
    .tokenize(topic)
    .filter((t) => !ASKING.has(t) && !/^[\d*]+$/.test(t) && !/^[a-z]$/.test(t));
  return [...new Set(terms)].sort().join(' ');
}

export function termSet(normalized: string): Set<string> {
  return new Set(normalized.split(' ').filter(Boolean));
}

export type TermWeight = (term: string) => number;
const unit: TermWeight = () => 1;

/**
 * Weighted Jaccard: Σ weight(A ∩ B) / Σ weight(A ∪ B). With information weights (general-corpus
 * IDF) sharing 驾照 counts for much more than sharing 时候.
 */
export function jaccard(a: Set<string>, b: Set<string>, weight: TermWeight = unit): number {
  if (!a.size && !b.size) return 1;
  let inter = 0;
  let union = 0;
  for (const t of a) {
    const w = weight(t);
    union += w;
    if (b.has(t)) inter += w;
  }
  for (const t of b) if (!a.has(t)) union += weight(t);
  return union ? inter / union : 0;
}

/**
 * A question joins a group when its information-weighted Jaccard with the group's leader is at
 * least this. Measured with `npm run bench:unanswered` on the 365 labelled eval questions (83
 * topics; same guide = same topic): 0.24 gives the best F0.5 (precision counted double), pair
 * precision 0.726, recall 0.318, 192 groups; plain Jaccard peaks lower (F0.5 0.568 at 0.22).
 */
export const GROUP_THRESHOLD = 0.24;

export interface Groupable {
  normalized: string;
}

/**
 * Greedy leader clustering: each question joins the group whose leader it is most similar to
 * (at least `threshold`), else starts a group. Identical normalised forms are collapsed first, so
 * the cost is (distinct forms) × (groups); the most frequent form of a group leads it.
 */
export function groupSimilar<T extends Groupable>(items: T[], threshold = GROUP_THRESHOLD, weight: TermWeight = unit): T[][] {
  const byForm = new Map<string, T[]>();
  for (const it of items) {
    const list = byForm.get(it.normalized);
    if (list) list.push(it);
    else byForm.set(it.normalized, [it]);
  }
  // Frequent forms first: they become leaders, and rarer variants attach to them.
  const forms = [...byForm.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const groups: { leader: Set<string>; members: T[] }[] = [];
  for (const [form, members] of forms) {
    const terms = termSet(form);
    let best: (typeof groups)[number] | null = null;
    let bestSim = threshold;
    if (terms.size) {
      for (const g of groups) {
        const s = jaccard(terms, g.leader, weight);
        if (s >= bestSim) {
          best = g;
          bestSim = s;
        }
      }
    }
    if (best) best.members.push(...members);
    else groups.push({ leader: terms, members: [...members] });
  }
  return groups.map((g) => g.members).sort((a, b) => b.length - a.length);
}

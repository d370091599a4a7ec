/**
 * Select fields: the citizen names a choice by its wording, by one of the spec's synonyms
 * ("我在这上班" → 合法稳定就业), or, when the choice is what was asked, by its number (第二个).
 */
import { optionsOf, type FieldSpec } from './spec.js';

const ORDINAL: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const norm = (s: string) => s.normalize('NFKC').replace(/[\s，,。.！!？?、]/g, '').toLowerCase();

export interface OptionHit {
  value: string;
  start: number;
  end: number;
}

/** Every option the text names, with where; longest wording first so 公共租赁住房 beats 住房. */
export function findOptions(f: FieldSpec, text: string): OptionHit[] {
  const hits: OptionHit[] = [];
  const s = text.normalize('NFKC').toLowerCase();
  const words = optionsOf(f)
    .flatMap((o) => [o.value, ...o.synonyms].map((w) => ({ value: o.value, w: w.toLowerCase() })))
    .sort((a, b) => b.w.length - a.w.length);
  for (const { value, w } of words) {
    let from = 0;
    for (let i = s.indexOf(w, from); i >= 0; i = s.indexOf(w, from)) {
      from = i + w.length;
      if (hits.some((h) => i < h.end && i + w.length > h.start)) continue;
      hits.push({ value, start: i, end: i + w.length });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/**
 * The option a text names, or null when it names none or several different ones. `bare`: the
 * text answers this field's question, so "2" or "第二个" picks the second option.
 */
export function matchOption(f: FieldSpec, text: string, opts: { bare?: boolean } = {}): string | null {
  const options = optionsOf(f);
  const t = norm(text);
  const exact = options.find((o) => norm(o.value) === t || o.synonyms.some((s) => norm(s) === t));
  if (exact) return exact.value;
  if (opts.bare) {
    const m = /^(?:第|选)?(\d{1,2}|[一二两三四五六七八九十])(?:个|项|种|条|号)?$/.exec(t);
    if (m) {
      const n = /^\d+$/.test(m[1]) ? Number(m[1]) : ORDINAL[m[1]];
      if (n >= 1 && n <= options.length) return options[n - 1].value;
    }
  }
  const values = [...new Set(findOptions(f, text).map((h) => h.value))];
  return values.length === 1 ? values[0] : null;
}

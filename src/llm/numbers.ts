/**
 * Numbers in Chinese text, as comparable values: 20元, 15个工作日, 十六周岁, 百分之五十, 1.5万,
 * 0000-12345678. The grounding check asks that every number a model states is one the cited
 * sections state, so both sides are reduced to one canonical form ("十五" and "15" are "15").
 */

export interface FoundNumber {
  /** As written. */
  raw: string;
  /** Canonical form: a decimal value ("15", "50000", "0.5"), digits kept as written when they start with 0 ("0755"), or "zh:<raw>" for a numeral phrase that does not parse. */
  value: string;
  /** Offsets in the NFKC-normalised text. */
  start: number;
  end: number;
}

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const SMALL_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const BIG_UNIT: Record<string, number> = { 万: 10_000, 亿: 100_000_000 };
const ZH_RUN = /[零〇一二两三四五六七八九十百千万亿]+/g;
const ARABIC = /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g;
/** Units after a single numeral character that make it a quantity ("一年", "两天"), not a word ("一下", "统一"). */
const QUANTITY_UNIT = /^(?:元|块|角|天|日|周岁|岁|年|个月|月|周|星期|小时|个小时|分钟|个工作日|工作日|倍|%|公里|米|平方米)/;
/** Words made of numeral characters that state no number (万一 "in case", 千万 "by all means", 五一/十一 holidays). */
const NOT_A_NUMBER = /万一|千万(?![元人户])|一一|一五一十|三三两两|七七八八|五一(?=假|劳动|长假|期间)|十一(?=假|长假|国庆|黄金周|期间)/g;
/** Formatting, not facts: list markers at a line's start and step ordinals (第三步). */
const LIST_MARKER = /^[ \t]*\d{1,2}[.、．)）](?!\d)/gm;
const STEP_ORDINAL = /第[一二三四五六七八九十\d]{1,3}(?=步|点)/g;

/** "0755" stays as written (area codes, example numbers); otherwise the decimal value. */
function canonicalDigits(digits: string, multiplier = 1): string {
  const d = digits.replace(/,/g, '');
  if (multiplier === 1 && /^0\d{2,}$/.test(d)) return d;
  const n = Number(d) * multiplier;
  return Number.isFinite(n) ? String(Math.round(n * 1e6) / 1e6) : d;
}

/** Value of a Chinese numeral phrase ("一百零五", "两万五千", "二〇二五"), or null when it is not a well-formed number. */
export function parseChineseNumeral(s: string): string | null {
  if (!/[十百千万亿]/.test(s)) {
    // Read digit by digit: 二〇二五 is 2025, 一 is 1.
    return canonicalDigits([...s].map((c) => DIGIT[c]).join(''));
  }
  if (/^[百千万亿]/.test(s)) return null;
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  let lastSmall = Infinity;
  for (const c of s) {
    if (c in DIGIT) {
      if (digit !== null && DIGIT[c] !== 0 && digit !== 0) return null; // 三四 in a structured number: a range, not one number
      digit = DIGIT[c];
    } else if (c in SMALL_UNIT) {
      const u = SMALL_UNIT[c];
      if (u >= lastSmall) return null;
      section += (digit ?? 1) * u;
      lastSmall = u;
      digit = null;
    } else {
      section += digit ?? 0;
      total += (section || 1) * BIG_UNIT[c];
      section = 0;
      digit = null;
      lastSmall = Infinity;
    }
  }
  section += digit ?? 0;
  return String(total + section);
}

function blank(text: string, re: RegExp): string {
  return text.replace(re, (m) => ' '.repeat(m.length));
}

/**
 * The numbers a text states. `claims` reads a model's reply strictly (a lone 一 counts only as a
 * quantity, list markers and step ordinals are formatting); `all` reads a source section
 * generously, so that anything it says may be repeated.
 */
export function numbersIn(input: string, mode: 'claims' | 'all'): FoundNumber[] {
  let text = input.normalize('NFKC');
  text = blank(text, NOT_A_NUMBER);
  if (mode === 'claims') text = blank(blank(text, LIST_MARKER), STEP_ORDINAL);
  const out: FoundNumber[] = [];
  for (const m of text.matchAll(ARABIC)) {
    const start = m.index!;
    let end = start + m[0].length;
    const mult = /^[万亿千]/.exec(text.slice(end));
    let multiplier = 1;
    if (mult && !/^0\d/.test(m[0])) {
      multiplier = mult[0] === '万' ? 10_000 : mult[0] === '亿' ? 100_000_000 : 1000;
      end += 1;
    }
    out.push({ raw: text.slice(start, end), value: canonicalDigits(m[0], multiplier), start, end });
  }
  for (const m of text.matchAll(ZH_RUN)) {
    const start = m.index!;
    const raw = m[0];
    const end = start + raw.length;
    // A numeral right after Arabic digits is their multiplier (5万), already read.
    if (/\d$/.test(text.slice(0, start))) continue;
    const parsed = parseChineseNumeral(raw);
    // A lone 百/千/万/亿 is a word (百姓, 千方百计); a lone digit is a number only as a quantity.
    if (/^[百千万亿]$/.test(raw)) continue;
    if (mode === 'claims' && raw.length === 1 && !QUANTITY_UNIT.test(text.slice(end))) continue;
    out.push({ raw, value: parsed ?? `zh:${raw}`, start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Every canonical value a source text allows (sections, titles). */
export function allowedNumbers(texts: string[]): Set<string> {
  const set = new Set<string>();
  for (const t of texts) {
    for (const n of numbersIn(t, 'all')) {
      set.add(n.value);
      set.add(`zh:${n.raw}`);
    }
    // A phone number written with a separator may be repeated without it.
    for (const m of t.normalize('NFKC').matchAll(/(?<!\d)(\d{3,4})[- ](\d{7,8})(?!\d)/g)) set.add(m[1] + m[2]);
  }
  return set;
}

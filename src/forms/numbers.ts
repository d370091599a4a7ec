/**
 * Numbers as people write them: 3500, 3,500, 3500.5, 1.5万, 3万5, and Chinese numerals
 * (三千五 = 3500, 一万二 = 12000, 两百 = 200, 一千零五十 = 1050, 二〇二五 = 2025).
 */
const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4, 五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9 };
const UNIT: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const BIG: Record<string, number> = { 万: 10_000, 萬: 10_000, 亿: 100_000_000 };

export const CN_NUMERAL_CHARS = '零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿';

function parseSection(s: string): number | null {
  // A section below 万: digits and 十/百/千, with the colloquial elided last unit (三千五 = 3500).
  if (!s) return 0;
  let total = 0;
  let digit: number | null = null;
  let lastUnit = 0;
  for (const ch of s) {
    if (ch in DIGIT) {
      if (digit !== null && DIGIT[ch] !== 0 && digit !== 0) return null; // 三五 is not a number here
      digit = DIGIT[ch];
    } else if (ch in UNIT) {
      const u = UNIT[ch];
      total += (digit ?? (u === 10 ? 1 : NaN)) * u; // 十五 = 15
      if (Number.isNaN(total)) return null;
      digit = null;
      lastUnit = u;
    } else return null;
  }
  if (digit !== null) {
    // 三千五: the trailing digit takes the unit below the last one, unless a 零 came before it.
    const elided = lastUnit >= 100 && !/零|〇/.test(s.slice(-2, -1)) ? lastUnit / 10 : 1;
    total += digit * elided;
  }
  return total;
}

/** Parses Chinese numerals (with 万 and 亿); null when the text is not a number. */
export function parseChineseNumeral(s: string): number | null {
  if (!s) return null;
  // Written digit by digit: 二〇二五, 一三九 (two digits, 三五, is "three or five", not 35).
  if (/^[零〇一二两三四五六七八九]+$/.test(s) && (s.length >= 3 || /[零〇]/.test(s))) return Number([...s].map((c) => DIGIT[c]).join(''));
  let total = 0;
  let rest = s;
  for (const [ch, mult] of Object.entries(BIG).sort((a, b) => b[1] - a[1])) {
    const i = rest.indexOf(ch);
    if (i < 0) continue;
    const head = parseSection(rest.slice(0, i));
    if (head === null) return null;
    total += (i === 0 ? 1 : head) * mult;
    rest = rest.slice(i + 1);
    // 一万二 = 12000: a lone trailing digit after 万 means thousands.
    if (/^[一二两三四五六七八九]$/.test(rest)) return total + DIGIT[rest] * (mult / 10);
  }
  const tail = parseSection(rest);
  return tail === null ? null : total + tail;
}

/**
 * Parses one number token as people write amounts: Arabic digits (with thousands separators and
 * decimals), Chinese numerals, and mixtures such as 1.5万, 3万5, 3千5. Null when it is not one.
 */
export function parseAmount(input: string): number | null {
  const s = input.normalize('NFKC').replace(/\s+/g, '').replace(/[元块圆]钱?$|块钱$/, '');
  if (!s) return null;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) return Number(s.replace(/,/g, ''));
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  // 1.5万, 3万5, 2千, 3千5, 1万2千
  const mixed = /^(\d+(?:\.\d+)?)(万|千|百)(\d)?$/.exec(s);
  if (mixed) {
    const mult = mixed[2] === '万' ? 10_000 : mixed[2] === '千' ? 1000 : 100;
    return Number(mixed[1]) * mult + (mixed[3] ? Number(mixed[3]) * (mult / 10) : 0);
  }
  if (/^\d+万\d+千?$/.test(s)) {
    const [, w, k] = /^(\d+)万(\d+)千?$/.exec(s)!;
    return Number(w) * 10_000 + Number(k) * (s.endsWith('千') || k.length === 1 ? 1000 : 1);
  }
  return parseChineseNumeral(s);
}

/** Finds amounts in free text: the first number-looking token(s), with their positions. */
export function findNumbers(text: string): { start: number; end: number; raw: string; value: number }[] {
  const out: { start: number; end: number; raw: string; value: number }[] = [];
  const re = new RegExp(`(?:\\d+(?:[.,]\\d+)*(?:[万千百]\\d?)?|[${CN_NUMERAL_CHARS}]+)`, 'gu');
  for (const m of text.matchAll(re)) {
    const value = parseAmount(m[0]);
    if (value === null || !Number.isFinite(value)) continue;
    out.push({ start: m.index!, end: m.index! + m[0].length, raw: m[0], value });
  }
  return out;
}

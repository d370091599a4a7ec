/**
 * Dates the way people write them — 2025年3月1日, 2025-3-1, 2025/03/01, 20250301, 3月1号, 明天,
 * 后天, 下周一, 这个星期五, 下个月5号, 三天后, 二〇二五年三月一日 — resolved against "today" in
 * Asia/Shanghai (injectable, so tests and the dialogue agree on what 明天 means).
 */
import { CN_NUMERAL_CHARS, parseChineseNumeral } from './numbers.js';

export interface CalendarDate {
  y: number;
  m: number;
  d: number;
}

export const TIME_ZONE = 'Asia/Shanghai';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number) => (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]);

export function isValidDate(c: CalendarDate): boolean {
  return Number.isInteger(c.y) && Number.isInteger(c.m) && Number.isInteger(c.d) && c.m >= 1 && c.m <= 12 && c.d >= 1 && c.d <= daysInMonth(c.y, c.m);
}

// Made once per time zone: building an Intl.DateTimeFormat costs far more than formatting with one,
// and every turn that may fill a form asks for today's date.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f;
}

/** The calendar date of an instant in Asia/Shanghai. */
export function calendarDateIn(instant: Date, timeZone = TIME_ZONE): CalendarDate {
  const parts = dayFormat(timeZone).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

const toUtc = (c: CalendarDate) => Date.UTC(c.y, c.m - 1, c.d);
const fromUtc = (ms: number): CalendarDate => {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
export const addDays = (c: CalendarDate, n: number) => fromUtc(toUtc(c) + n * 86_400_000);
export const daysBetween = (a: CalendarDate, b: CalendarDate) => Math.round((toUtc(b) - toUtc(a)) / 86_400_000);
/** 0 = Monday … 6 = Sunday (Chinese weeks start on Monday). */
export const weekday = (c: CalendarDate) => (new Date(toUtc(c)).getUTCDay() + 6) % 7;
export const compareDates = (a: CalendarDate, b: CalendarDate) => toUtc(a) - toUtc(b);

const pad = (n: number) => String(n).padStart(2, '0');
export const toIsoDate = (c: CalendarDate) => `${c.y}-${pad(c.m)}-${pad(c.d)}`;
export function fromIsoDate(s: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const c = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  return isValidDate(c) ? c : null;
}

const WEEKDAY_NAMES = ['一', '二', '三', '四', '五', '六', '日'];
/** 2025年3月1日（星期六） */
export function formatChineseDate(c: CalendarDate, withWeekday = true): string {
  return `${c.y}年${c.m}月${c.d}日${withWeekday ? `（星期${WEEKDAY_NAMES[weekday(c)]}）` : ''}`;
}

/** Which way a date without a year (3月1号, 周五) leans when both readings are possible. */
export type DateLean = 'past' | 'future' | 'any';

export type DateParse = { ok: true; date: CalendarDate } | { ok: false; error: string };

export interface DateMatch {
  start: number;
  end: number;
  raw: string;
  result: DateParse;
}

const NUM = `(?:\\d{1,4}|[${CN_NUMERAL_CHARS}]{1,4})`;
const toInt = (s: string) => (/^\d+$/.test(s) ? Number(s) : parseChineseNumeral(s));

function checked(c: CalendarDate, raw: string): DateParse {
  if (c.m < 1 || c.m > 12) return { ok: false, error: `“${raw}”里的月份不对，一年只有12个月，请核对。` };
  if (c.d < 1 || c.d > daysInMonth(c.y, c.m)) return { ok: false, error: `${c.y}年${c.m}月没有${c.d}日，请核对日期。` };
  return { ok: true, date: c };
}

/** A month and day without a year: this year's, or the next/previous occurrence per `lean`. */
function withYear(m: number, d: number, today: CalendarDate, lean: DateLean, raw: string): DateParse {
  let c = { y: today.y, m, d };
  const r = checked(c.m === 2 && c.d === 29 && !isLeap(c.y) ? { ...c, y: c.y + (lean === 'past' ? -1 : 1) } : c, raw);
  if (!r.ok) return r;
  c = r.date;
  if (lean === 'future' && compareDates(c, today) < 0) return checked({ y: c.y + 1, m, d }, raw);
  if (lean === 'past' && compareDates(c, today) > 0) return checked({ y: c.y - 1, m, d }, raw);
  return r;
}

const WEEKDAY_CHAR: Record<string, number> = { 一: 0, 1: 0, 二: 1, 2: 1, 三: 2, 3: 2, 四: 3, 4: 3, 五: 4, 5: 4, 六: 5, 6: 5, 日: 6, 天: 6, 7: 6 };
const RELATIVE_DAY: Record<string, number> = { 今天: 0, 今日: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3, 昨天: -1, 昨日: -1, 前天: -2, 大前天: -3 };

interface Rule {
  re: RegExp;
  parse: (m: RegExpExecArray, today: CalendarDate, lean: DateLean) => DateParse | null;
}

const RULES: Rule[] = [
  // 2025年3月1日, 二〇二五年三月一号, 2025年3月1
  {
    re: new RegExp(`(${NUM})\\s*年\\s*(${NUM})\\s*月\\s*(${NUM})\\s*[日号]?`, 'gu'),
    parse: (m) => {
      const y = toInt(m[1]);
      const mo = toInt(m[2]);
      const d = toInt(m[3]);
      if (y === null || mo === null || d === null || y < 1900 || y > 2200) return null;
      return checked({ y, m: mo, d }, m[0]);
    },
  },
  // 2025-3-1, 2025/03/01, 2025.3.1
  {
    re: /(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)/g,
    parse: (m) => checked({ y: Number(m[1]), m: Number(m[3]), d: Number(m[4]) }, m[0]),
  },
  // 下个月5号, 这个月20日, 本月底 is not a date
  {
    re: new RegExp(`(下下个?月|下个?月|这个?月|本月|上个?月)\\s*(${NUM})\\s*[日号]`, 'gu'),
    parse: (m, today) => {
      const d = toInt(m[2]);
      if (d === null) return null;
      const shift = m[1].startsWith('下下') ? 2 : m[1].startsWith('下') ? 1 : m[1].startsWith('上') ? -1 : 0;
      const mi = today.m - 1 + shift;
      const y = today.y + Math.floor(mi / 12);
      return checked({ y, m: (((mi % 12) + 12) % 12) + 1, d }, m[0]);
    },
  },
  // 3月1号, 三月一日, 3月1
  {
    re: new RegExp(`(?<![\\d年])(${NUM})\\s*月\\s*(${NUM})\\s*[日号]?(?![\\d${CN_NUMERAL_CHARS}])`, 'gu'),
    parse: (m, today, lean) => {
      const mo = toInt(m[1]);
      const d = toInt(m[2]);
      if (mo === null || d === null) return null;
      return withYear(mo, d, today, lean, m[0]);
    },
  },
  // 下周一, 下下周三, 这个星期五, 本周日, 上礼拜二, 周五
  {
    re: /(下下|下|这|本|上)?\s*(?:个)?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])/gu,
    parse: (m, today, lean) => {
      const target = WEEKDAY_CHAR[m[2]];
      const monday = addDays(today, -weekday(today));
      const weeks = m[1] === '下下' ? 2 : m[1] === '下' ? 1 : m[1] === '上' ? -1 : 0;
      let c = addDays(monday, weeks * 7 + target);
      // A bare 周五 that has passed this week, for something ahead, means next week's.
      if (!m[1] && lean === 'future' && compareDates(c, today) < 0) c = addDays(c, 7);
      if (!m[1] && lean === 'past' && compareDates(c, today) > 0) c = addDays(c, -7);
      return { ok: true, date: c };
    },
  },
  // 三天后, 10天以后, 两周后
  {
    re: new RegExp(`(${NUM})\\s*(天|日|周|个星期|星期)\\s*(后|以后|之后)`, 'gu'),
    parse: (m, today) => {
      const n = toInt(m[1]);
      if (n === null || n > 366) return null;
      return { ok: true, date: addDays(today, m[2] === '天' || m[2] === '日' ? n : n * 7) };
    },
  },
  // 今天, 明天, 大后天, 昨天
  {
    re: /大后天|大前天|今天|今日|明天|明日|后天|昨天|昨日|前天/gu,
    parse: (m, today) => ({ ok: true, date: addDays(today, RELATIVE_DAY[m[0]]) }),
  },
];

/**
 * Every date written in `text`, left to right, without overlaps (the most specific rule wins),
 * each either a calendar date or the reason it is not one ("2025年2月没有30日").
 */
export function findDates(text: string, today: CalendarDate, lean: DateLean = 'any'): DateMatch[] {
  const s = text.normalize('NFKC');
  const taken: DateMatch[] = [];
  for (const rule of RULES) {
    for (const m of s.matchAll(rule.re)) {
      const start = m.index!;
      const end = start + m[0].length;
      if (taken.some((t) => start < t.end && end > t.start)) continue;
      const result = rule.parse(m as RegExpExecArray, today, lean);
      if (result) taken.push({ start, end, raw: m[0], result });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** An 8-digit compact date (20250301), only when a date is what was asked for. */
export function parseCompactDate(s: string): DateParse | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  return checked({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }, s);
}

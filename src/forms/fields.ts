/**
 * One field's value: parsed from what the citizen wrote into the stored form (ISO dates, plain
 * digits, the option's own wording), checked against the spec's limits, and shown back (masked
 * in chat for ID and phone numbers). A value that fails is never stored; the error says why.
 */
import { maskIdNumber, maskPhone } from '../platform/pii.js';
import { validateAddress } from './address.js';
import { addDays, daysBetween, findDates, formatChineseDate, fromIsoDate, parseCompactDate, toIsoDate, weekday, type CalendarDate } from './dates.js';
import { validateIdNumber, type IdNumberInfo } from './id-number.js';
import { validateName } from './names.js';
import { findNumbers, parseAmount } from './numbers.js';
import { validatePhone } from './phone.js';
import { matchOption } from './select.js';
import type { FieldSpec } from './spec.js';

export type FieldParse = { ok: true; value: string } | { ok: false; error: string };

export interface ParseContext {
  today: CalendarDate;
  /** The value was said on its own, in answer to this field's question. */
  bare?: boolean;
}

const who = (f: FieldSpec) => f.label.replace(/(的)?(公民)?身份(证)?(号码|号)$/, '') || '申请人';

export function checkIdRules(f: FieldSpec, info: IdNumberInfo): string | null {
  if (f.sex && info.sex !== f.sex) {
    return `这个身份证号显示的性别是${info.sex === 'male' ? '男' : '女'}，和“${f.label}”不一致，请核对是否填反了。`;
  }
  if (f.min_age !== undefined && info.age < f.min_age) {
    return `按这个身份证号，${who(f)}现在${info.age}周岁，未满${f.min_age}周岁，不符合办理条件，请核对。`;
  }
  return null;
}

/** Parses a date value and checks the field's limits (past/future, days ahead, workdays). */
export function checkDate(f: FieldSpec, date: CalendarDate, today: CalendarDate): FieldParse {
  const ahead = daysBetween(today, date);
  const shown = formatChineseDate(date);
  if (f.when === 'past' && ahead > 0) return { ok: false, error: `${shown}还没有到，“${f.label}”应是已经过去的日期，请核对。` };
  if (f.when === 'future' && ahead < 0) return { ok: false, error: `${shown}已经过去了，请选一个今天以后的日期。` };
  if (f.min_days_ahead !== undefined && ahead < f.min_days_ahead) {
    return { ok: false, error: `${shown}太近了，最早只能选${formatChineseDate(addDays(today, f.min_days_ahead))}。` };
  }
  if (f.max_days_ahead !== undefined && ahead > f.max_days_ahead) {
    return { ok: false, error: `${shown}太远了，只能选${f.max_days_ahead}天以内的日期（最晚${formatChineseDate(addDays(today, f.max_days_ahead))}）。` };
  }
  if (f.workdays_only && weekday(date) >= 5) return { ok: false, error: `${shown}是周末，不办公，请换一个周一到周五的日期。` };
  if (date.y < 1900) return { ok: false, error: `${shown}太早了，请核对年份。` };
  return { ok: true, value: toIsoDate(date) };
}

export function checkNumber(f: FieldSpec, n: number): FieldParse {
  const unit = f.unit ?? '';
  if (f.integer && !Number.isInteger(n)) return { ok: false, error: `“${f.label}”应是整数，请核对。` };
  if (f.min !== undefined && n < f.min) return { ok: false, error: `“${f.label}”不能少于${f.min}${unit}，请核对。` };
  if (f.max !== undefined && n > f.max) return { ok: false, error: `“${f.label}”不能多于${f.max}${unit}，请核对。` };
  return { ok: true, value: String(Math.round(n * 100) / 100) };
}

export function checkText(f: FieldSpec, s: string): FieldParse {
  // Spaces left where other values were taken out: kept between Latin words only.
  const v = s.trim().replace(/\s+/g, ' ').replace(/\s(?=[\u3000-\u9fff\uff00-\uffef])|(?<=[\u3000-\u9fff\uff00-\uffef])\s/g, '');
  const min = f.min_length ?? 2;
  const max = f.max_length ?? 500;
  if ([...v].length < min) return { ok: false, error: `“${f.label}”请多写几个字（至少${min}个字）。` };
  if ([...v].length > max) return { ok: false, error: `“${f.label}”最多${max}个字，请简短一些。` };
  return { ok: true, value: v };
}

/**
 * Parses a whole input as this field's value: what the form view sends (PATCH), or a message
 * given in answer to the field's question.
 */
export function parseFieldValue(f: FieldSpec, input: string, ctx: ParseContext): FieldParse {
  const raw = input.normalize('NFKC').trim();
  if (!raw) return { ok: false, error: `请填写“${f.label}”。` };
  switch (f.type) {
    case 'name':
      return validateName(raw, { bare: ctx.bare });
    case 'id_number': {
      const r = validateIdNumber(raw, ctx.today);
      if (!r.ok) return r;
      const rule = checkIdRules(f, r.info);
      return rule ? { ok: false, error: rule } : { ok: true, value: r.info.value };
    }
    case 'phone':
      return validatePhone(raw, { mobileOnly: f.mobile_only });
    case 'date': {
      const iso = fromIsoDate(raw);
      if (iso) return checkDate(f, iso, ctx.today);
      const compact = /^\d{8}$/.test(raw) ? parseCompactDate(raw) : null;
      if (compact) return compact.ok ? checkDate(f, compact.date, ctx.today) : compact;
      const found = findDates(raw, ctx.today, f.when ?? 'any');
      if (!found.length) return { ok: false, error: '没有看懂这个日期，请写成“2025年3月1日”或“下周一”这样的格式。' };
      const r = found[0].result;
      return r.ok ? checkDate(f, r.date, ctx.today) : r;
    }
    case 'address':
      return validateAddress(raw);
    case 'select': {
      const o = matchOption(f, raw, { bare: true });
      return o ? { ok: true, value: o } : { ok: false, error: `请从这些选项中选一个：${(f.options ?? []).map((x) => (typeof x === 'string' ? x : x.value)).join('、')}。` };
    }
    case 'number': {
      const n = parseAmount(raw) ?? (findNumbers(raw).length === 1 ? findNumbers(raw)[0].value : null);
      if (n === null) return { ok: false, error: `请用数字告诉我“${f.label}”${f.unit ? `（单位：${f.unit}）` : ''}。` };
      return checkNumber(f, n);
    }
    case 'text':
      return checkText(f, raw);
  }
}

/** How a stored value is shown: in chat (`masked`) ID and phone numbers are masked. */
export function displayValue(f: FieldSpec, value: string, opts: { masked: boolean }): string {
  if (f.type === 'id_number') return opts.masked ? maskIdNumber(value) : value;
  if (f.type === 'phone') return opts.masked ? maskPhone(value) : value;
  if (f.type === 'date') {
    const d = fromIsoDate(value);
    return d ? formatChineseDate(d) : value;
  }
  if (f.type === 'number' && f.unit) return `${value}${f.unit}`;
  return value;
}

/** Birth date and sex derived from a stored ID number (GB 11643), for the form view. */
export function deriveFromId(value: string, today: CalendarDate): { birthDate: string; sex: 'male' | 'female'; age: number } | null {
  const r = validateIdNumber(value, today);
  return r.ok ? { birthDate: r.info.birthDate, sex: r.info.sex, age: r.info.age } : null;
}


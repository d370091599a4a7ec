/**
 * Finds a form's field values in one message: "我叫张三，身份证110101…，电话139…" fills three
 * fields at once. Typed values are recognised by shape (ID and phone numbers, dates), the others
 * by the words that introduce them (我叫, 住在, the spec's cues) or, when one field was asked
 * for, by the message being its answer ("张三"). Values are parsed and checked here; the caller
 * stores the good ones and tells the citizen exactly what is wrong with the others.
 */
import { validateAddress } from './address.js';
import { findDates, parseCompactDate, type CalendarDate } from './dates.js';
import { checkDate, checkIdRules, checkNumber, checkText, parseFieldValue, type FieldParse } from './fields.js';
import { validateIdNumber } from './id-number.js';
import { cutName, validateName } from './names.js';
import { findNumbers } from './numbers.js';
import { validatePhone } from './phone.js';
import { findOptions, matchOption } from './select.js';
import type { FieldSpec, FieldType, FormSpec } from './spec.js';

export interface Extracted {
  field: FieldSpec;
  result: FieldParse;
}

export interface ExtractOptions {
  today: CalendarDate;
  /** The field the last question asked for. */
  asking?: string | null;
  /** A field the citizen says is wrong ("电话写错了"): unlabelled values go to it. */
  target?: string | null;
  /** Fields that already hold a value. */
  filled?: ReadonlySet<string>;
  /** This message opened the form ("我要投诉窗口态度差"). */
  opening?: boolean;
  /** The message reads as a question about a service: not taken whole as a free-text answer. */
  elsewhere?: boolean;
}

/** Words that name a field by its type when the spec's cues do not. */
export const TYPE_WORDS: Record<FieldType, RegExp> = {
  name: /名字|姓名/,
  id_number: /身份证|证件号|身份号/,
  phone: /电话|手机|号码|联系方式/,
  date: /日期|时间|哪天|日子/,
  address: /地址|住址|住的地方|地点/,
  select: /(?!)/,
  text: /(?!)/,
  number: /(?!)/,
};

const QUESTION_LIKE = /[?？]|吗|呢|怎么|什么|哪|多少|多久|多长|几[个天号岁位年次]|能不能|可不可以|是否|为什么|为啥|啥|([能会要是管行用])不\1/;
export const looksLikeQuestion = (s: string) => QUESTION_LIKE.test(s);

const NAME_INTRO = '我叫|我的名字(?:是|叫)|名字(?:是|叫)?|姓名(?:是|叫|为)?|本人(?:是|叫)|申请人(?:是|叫)?|(?:他|她|我爸|我妈|我父亲|我母亲|老人家?|孩子)(?:叫|名叫|名字叫)';
const ADDRESS_INTRO = '住在|住址(?:是|为)?|地址(?:是|为)?|家住|家在|居住在|现住|住的地方是';
// Where a value introduced by a word ends: punctuation, or the next kind of value.
const VALUE_END = /[，,。；;！!\n]|身份证|电话|手机|我叫|姓名|名字|联系/;

interface Span {
  start: number;
  end: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

class Extraction {
  readonly out: Extracted[] = [];
  private readonly taken: Span[] = [];
  private readonly assigned = new Set<string>();

  constructor(
    readonly text: string,
    readonly spec: FormSpec,
    readonly opts: ExtractOptions,
  ) {}

  fieldsOf(type: FieldType): FieldSpec[] {
    return this.spec.fields.filter((f) => f.type === type);
  }

  isTaken(s: Span): boolean {
    return this.taken.some((t) => s.start < t.end && s.end > t.start);
  }

  take(s: Span): void {
    this.taken.push(s);
  }

  /** The text with every taken span blanked out (kept the same length, so positions hold). */
  residual(): string {
    let r = this.text;
    for (const t of this.taken) r = r.slice(0, t.start) + ' '.repeat(t.end - t.start) + r.slice(t.end);
    return r;
  }

  add(field: FieldSpec, result: FieldParse): void {
    if (this.assigned.has(field.name)) return;
    this.assigned.add(field.name);
    this.out.push({ field, result });
  }

  /** Cue words of a field: its own cues and its label (男方, 月租, 经营场所 …). */
  private cues(f: FieldSpec): string[] {
    return [f.label, ...f.cues];
  }

  /**
   * Which field of `type` a value at `start` belongs to: the one whose cue is nearest before it,
   * else the field named as wrong, the field asked for, the first still empty, or the only one.
   */
  fieldFor(type: FieldType, start: number, opts: { needCue?: boolean } = {}): FieldSpec | null {
    const candidates = this.fieldsOf(type).filter((f) => !this.assigned.has(f.name));
    if (!candidates.length) return null;
    const windowStart = Math.max(0, ...this.taken.filter((t) => t.end <= start).map((t) => t.end), start - 16);
    const before = this.text.slice(windowStart, start);
    let best: FieldSpec | null = null;
    let bestAt = -1;
    for (const f of candidates) {
      for (const cue of this.cues(f)) {
        const at = before.lastIndexOf(cue);
        if (at >= 0 && at + cue.length > bestAt) {
          best = f;
          bestAt = at + cue.length;
        }
      }
    }
    if (best) return best;
    if (opts.needCue) return null;
    const { target, asking, filled } = this.opts;
    const byName = (n: string | null | undefined) => candidates.find((f) => f.name === n);
    return byName(target) ?? byName(asking) ?? candidates.find((f) => !filled?.has(f.name)) ?? (this.fieldsOf(type).length === 1 ? candidates[0] : null);
  }

  /** The field this message answers, when it is of the given type. */
  answering(type: FieldType): FieldSpec | null {
    const n = this.opts.target ?? this.opts.asking;
    const f = this.spec.fields.find((x) => x.name === n);
    return f && f.type === type && !this.assigned.has(f.name) ? f : null;
  }

  has(type: FieldType): boolean {
    return this.spec.fields.some((f) => f.type === type);
  }

  mentions(f: FieldSpec, before: string): boolean {
    return this.cues(f).some((c) => before.includes(c)) || TYPE_WORDS[f.type].test(before);
  }
}

function dates(x: Extraction): void {
  if (!x.has('date')) return;
  const answering = x.answering('date');
  const lean = (answering ?? x.fieldsOf('date')[0]).when ?? 'any';
  for (const m of findDates(x.text, x.opts.today, lean)) {
    const f = x.fieldFor('date', m.start);
    if (!f) continue;
    x.take(m);
    x.add(f, m.result.ok ? checkDate(f, m.result.date, x.opts.today) : m.result);
  }
}

type DigitKind = 'id' | 'mobile' | 'landline' | 'date' | 'id?' | 'phone?' | 'other';
const STRONG = new Set<DigitKind>(['id', 'mobile', 'landline', 'date']);

function classify(piece: string, x: Extraction): DigitKind {
  const d = piece.replace(/[\s\-—]/g, '').toUpperCase();
  if (/^\d{17}[\dX]$/.test(d) || /^\d{15}$/.test(d)) return 'id';
  if (/^(?:\+?86)?1\d{10}$/.test(d)) return 'mobile';
  if (/^0\d{9,11}$/.test(d)) return 'landline';
  if (/^\d{8}$/.test(d) && x.has('date') && (x.answering('date') || /^(19|20)\d{2}(0[1-9]|1[0-2])/.test(d))) return 'date';
  if (/^\d{16,19}X?$/.test(d)) return 'id?';
  if (/^(?:\+?86)?1\d{9}$|^(?:\+?86)?1\d{11}$/.test(d)) return 'phone?';
  // A landline without its area code.
  if (/^[2-9]\d{6,7}$/.test(d) && x.answering('phone')) return 'phone?';
  return 'other';
}

/** ID numbers, phone numbers and compact dates: runs of digits (spaces and dashes allowed). */
function digitRuns(x: Extraction): void {
  const re = /(?<![0-9A-Za-z])\+?\d[\d\s\-—]*[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d(?![0-9A-Za-z])/g;
  for (const m of x.text.matchAll(re)) {
    const run = m[0].replace(/[\s\-—]+$/, '');
    const start = m.index!;
    // The whole run, else its pieces ("110101… 139…" typed with a space between).
    const whole = classify(run, x);
    let parts: { s: string; at: number }[] = [{ s: run, at: start }];
    if (!STRONG.has(whole) && /[\s\-—]/.test(run)) {
      const pieces: { s: string; at: number }[] = [];
      let at = start;
      for (const p of run.split(/([\s\-—]+)/)) {
        if (p && !/^[\s\-—]+$/.test(p)) pieces.push({ s: p, at });
        at += p.length;
      }
      if (pieces.some((p) => STRONG.has(classify(p.s, x)))) parts = pieces;
    }
    for (const p of parts) {
      const span = { start: p.at, end: p.at + p.s.length };
      if (x.isTaken(span)) continue;
      const kind = parts.length === 1 ? whole : classify(p.s, x);
      const before = x.text.slice(Math.max(0, span.start - 16), span.start);
      let f: FieldSpec | null = null;
      let result: FieldParse | null = null;
      if (kind === 'id' || kind === 'id?') {
        f = x.fieldFor('id_number', span.start);
        if (f && (kind === 'id' || x.answering('id_number') || x.mentions(f, before))) {
          const r = validateIdNumber(p.s, x.opts.today);
          const rule = r.ok ? checkIdRules(f, r.info) : null;
          result = !r.ok ? r : rule ? { ok: false, error: rule } : { ok: true, value: r.info.value };
        }
      } else if (kind === 'mobile' || kind === 'landline' || kind === 'phone?') {
        f = x.fieldFor('phone', span.start);
        if (f && (kind !== 'phone?' || x.answering('phone') || x.mentions(f, before))) result = validatePhone(p.s, { mobileOnly: f.mobile_only });
      } else if (kind === 'date') {
        f = x.fieldFor('date', span.start, { needCue: !x.answering('date') });
        const c = parseCompactDate(p.s)!;
        if (f) result = c.ok ? checkDate(f, c.date, x.opts.today) : c;
      } else if (kind === 'other' && p.s.replace(/\D/g, '').length >= 5) {
        // A long number that is neither: an ID or phone number with digits missing, if one was asked.
        const asked = x.answering('id_number') ?? x.answering('phone');
        if (asked && !x.has('number')) {
          f = asked;
          result = parseFieldValue(asked, p.s, { today: x.opts.today, bare: true });
        }
      }
      if (f && result) {
        x.take(span);
        x.add(f, result);
      }
    }
  }
}

function numbers(x: Extraction): void {
  if (!x.has('number')) return;
  const residual = x.residual();
  for (const n of findNumbers(residual)) {
    const answering = x.answering('number');
    const f = x.fieldFor('number', n.start, { needCue: !answering });
    if (!f) continue;
    x.take(n);
    x.add(f, checkNumber(f, n.value));
  }
}

function names(x: Extraction): void {
  if (!x.has('name')) return;
  const residual = x.residual();
  const fieldCues = x.fieldsOf('name').flatMap((f) => f.cues.map(escape));
  const intro = new RegExp(`(${[...fieldCues, NAME_INTRO].join('|')})(?:的)?(?:名字|姓名)?(?:是|叫|为)?[:：\\s]*(?=[\\u3400-\\u9fff])`, 'gu');
  for (const m of residual.matchAll(intro)) {
    const at = m.index! + m[0].length;
    const name = cutName(residual.slice(at));
    if (!name || /身份|证件|电话|手机|号码|地址|住址|日期/.test(name)) continue;
    const f = x.fieldFor('name', at);
    if (!f) continue;
    // After 我叫 / 姓名是 any well-formed name; after a bare 名字 or a cue (男方) it must start
    // with a surname, so "名字写错了" is not taken for the name 写错了.
    const strong = /我叫|是|叫|为|[:：]/.test(m[0]);
    const r = validateName(name, { bare: !strong });
    if (!r.ok && !(strong && x.answering('name'))) continue;
    x.take({ start: m.index!, end: at + name.length });
    x.add(f, r);
  }
  const f = x.answering('name');
  if (!f) return;
  // The message is the name ("张三", "我是张三", "是李四").
  const rest = answerPart(x.residual(), !!x.opts.target)
    .replace(/^(我是|我叫|我|叫|是|就是|名字是|姓名)/, '')
    .replace(/[\s，,。.！!~～、]/g, '');
  if (!rest || looksLikeQuestion(rest)) return;
  const r = validateName(rest, { bare: true });
  if (r.ok || (/^[\u3400-\u9fff·]{2,4}$/.test(rest) && x.out.length === 0)) x.add(f, r);
}

/** In a correction ("名字写错了，是李四"), the part after the last 是/成/为/：. */
function answerPart(s: string, correction: boolean): string {
  if (!correction) return s;
  const m = /.*(?:应该是|改成|改为|换成|写成|是|成|为|[:：，,])\s*(.+)$/su.exec(s);
  return m ? m[1] : s;
}

function addresses(x: Extraction): void {
  if (!x.has('address')) return;
  const residual = x.residual();
  const fieldCues = x.fieldsOf('address').flatMap((f) => [f.label, ...f.cues].map(escape));
  const intro = new RegExp(`(${[...fieldCues, ADDRESS_INTRO].join('|')})(?:是|为|在)?[:：\\s]*`, 'gu');
  for (const m of residual.matchAll(intro)) {
    const at = m.index! + m[0].length;
    const tail = residual.slice(at);
    const end = tail.search(VALUE_END);
    const value = (end < 0 ? tail : tail.slice(0, end)).trim();
    if (!value) continue;
    const f = x.fieldFor('address', at);
    if (!f) continue;
    const r = validateAddress(value);
    // "住在这边两年了" is not an address; only an answer to the address question gets an error.
    if (!r.ok && x.answering('address') !== f) continue;
    x.take({ start: m.index!, end: at + (end < 0 ? tail.length : end) });
    x.add(f, r);
  }
  const f = x.answering('address');
  if (!f) return;
  const rest = answerPart(x.residual(), !!x.opts.target).trim();
  if (!rest || (looksLikeQuestion(rest) && !/号|室|栋/.test(rest))) return;
  const r = validateAddress(rest);
  if (r.ok || x.out.length === 0) x.add(f, r);
}

function selects(x: Extraction): void {
  for (const f of x.fieldsOf('select')) {
    const residual = x.residual();
    const hits = findOptions(f, residual);
    const values = [...new Set(hits.map((h) => h.value))];
    if (values.length === 1) {
      // The words stay in the text: "我要投诉窗口态度差" is the category and the content.
      x.add(f, { ok: true, value: values[0] });
      continue;
    }
    if (x.answering('select') !== f) continue;
    const rest = answerPart(residual, !!x.opts.target).trim();
    const picked = matchOption(f, rest, { bare: true });
    if (picked) x.add(f, { ok: true, value: picked });
    else if (rest && [...rest.replace(/\s/g, '')].length <= 12 && !looksLikeQuestion(rest) && x.out.length === 0) {
      x.add(f, parseFieldValue(f, rest, { today: x.opts.today, bare: true }));
    }
  }
}

// The words that open a complaint or suggestion, stripped before the rest becomes its content.
const OPENING = /^(我)?(要|想)?(投诉|举报|反映|反馈|建议|提(个|一个|一下|点)?(建议|意见))(一下)?[:：，,\s]*|^我有(个|一个|几个|条)?(建议|意见)[:：，,\s]*/;

function texts(x: Extraction): void {
  for (const f of x.fieldsOf('text')) {
    const residual = x.residual();
    // Introduced by a cue: "经营范围是卖水果".
    let found = false;
    for (const cue of f.cues) {
      const at = residual.indexOf(cue);
      if (at < 0) continue;
      const tail = residual.slice(at + cue.length).replace(/^(是|为|：|:|，|,|\s)+/, '');
      const end = tail.search(/[。；;\n]/);
      const value = (end < 0 ? tail : tail.slice(0, end)).trim();
      if (!value) continue;
      x.take({ start: at, end: residual.length - (end < 0 ? 0 : tail.length - end) });
      x.add(f, checkText(f, value));
      found = true;
      break;
    }
    if (found) continue;
    if (x.opts.opening && f.from_opening) {
      const rest = residual.trim().replace(OPENING, '').trim();
      if ([...rest].length >= (f.min_length ?? 2)) {
        x.add(f, checkText(f, rest));
        x.take({ start: 0, end: residual.length });
      }
      continue;
    }
    if (x.answering('text') === f && !x.opts.elsewhere) {
      const rest = answerPart(residual, !!x.opts.target).trim();
      if (rest) {
        x.add(f, checkText(f, rest));
        x.take({ start: 0, end: residual.length });
      }
    }
  }
}

/**
 * Full-width digits, letters and signs as ASCII (１３９… → 139…), one character for one, so
 * positions hold; Chinese punctuation is kept as the citizen wrote it (it ends up in text fields).
 */
export function normalizeInput(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => (/[，。；：！？（）、]/.test(c) ? c : String.fromCharCode(c.charCodeAt(0) - 0xfee0))).replace(/\u3000/g, ' ');
}

/** The field values one message carries, each parsed and checked (good or with its error). */
export function extractFields(message: string, spec: FormSpec, opts: ExtractOptions): Extracted[] {
  const x = new Extraction(normalizeInput(message), spec, opts);
  // Bare name first when a name was asked: "周一鸣" is a name, not a Monday.
  const asked = spec.fields.find((f) => f.name === (opts.target ?? opts.asking));
  if (asked?.type === 'name') {
    const bare = x.text.trim().replace(/^(我是|我叫|叫|是|就是)/, '').replace(/[\s，,。.！!]/g, '');
    if (/^[\u3400-\u9fff·]{2,4}$/.test(bare) && validateName(bare, { bare: true }).ok) {
      x.add(asked, { ok: true, value: bare });
      return x.out;
    }
  }
  dates(x);
  digitRuns(x);
  numbers(x);
  names(x);
  addresses(x);
  selects(x);
  texts(x);
  return x.out;
}

/**
 * The field a correction names ("电话写错了", "男方身份证号不对"): the spec's label and cues count
 * more than type words, so 女方身份证 picks the bride's ID field.
 */
export function fieldNamed(text: string, spec: FormSpec): FieldSpec | null {
  let best: FieldSpec | null = null;
  let bestScore = 0;
  for (const f of spec.fields) {
    let score = 0;
    if (text.includes(f.label)) score += 3;
    if (f.cues.some((c) => text.includes(c))) score += 2;
    if (TYPE_WORDS[f.type].test(text)) score += 1;
    if (score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

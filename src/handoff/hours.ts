/**
 * Per-department settings written as `default=<value>;<department>=<value>;…` (HANDOFF_HOURS,
 * HANDOFF_MAX_WAIT_MINUTES). A plain value with no `=` is the default for every department.
 */
export function parsePerDepartment<T>(spec: string, parseValue: (v: string) => T): { default: T | undefined; byDepartment: Map<string, T> } {
  const byDepartment = new Map<string, T>();
  let def: T | undefined;
  const parts = spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (parts.length > 1) throw new Error(`"${part}" needs a department name: <department>=<value>`);
      def = parseValue(part);
      continue;
    }
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!name) throw new Error(`"${part}" has no department name before "="`);
    if (byDepartment.has(name) || (name === 'default' && def !== undefined)) throw new Error(`${name} is given twice`);
    if (name === 'default') def = parseValue(value);
    else byDepartment.set(name, parseValue(value));
  }
  return { default: def, byDepartment };
}

export class PerDepartment<T> {
  constructor(
    private readonly fallback: T,
    private readonly byDepartment: Map<string, T>,
  ) {}

  static parse<T>(spec: string, parseValue: (v: string) => T, fallback: T): PerDepartment<T> {
    const p = parsePerDepartment(spec, parseValue);
    return new PerDepartment(p.default ?? fallback, p.byDepartment);
  }

  get(department: string): T {
    return this.byDepartment.get(department) ?? this.fallback;
  }

  entries(): Array<[string, T]> {
    return [['default', this.fallback], ...this.byDepartment];
  }

  map<U>(fn: (v: T) => U): PerDepartment<U> {
    return new PerDepartment(fn(this.fallback), new Map([...this.byDepartment].map(([k, v]) => [k, fn(v)])));
  }
}

export function parseMinutes(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || n <= 0 || n > 7 * 24 * 60) {
    throw new Error(`"${v}" is not a number of minutes (a positive number, decimals allowed)`);
  }
  return n;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const DAY_TEXT = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** Staffed hours of one department: days of the week and time ranges in minutes after midnight. */
export interface Hours {
  always: boolean;
  days: Set<number>;
  ranges: Array<[number, number]>;
  text: string;
}

function minutesOf(hhmm: string, spec: string): number {
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m || (m[1] === '24' && m[2] !== '00')) throw new Error(`"${hhmm}" in "${spec}" is not a time HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function dayIndex(name: string, spec: string): number {
  const i = DAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase());
  if (i < 0) throw new Error(`"${name}" in "${spec}" is not a day (Mon Tue Wed Thu Fri Sat Sun)`);
  return i;
}

/**
 * "Mon-Fri 09:00-17:00", "Mon-Sat 08:30-12:00,13:30-17:30", "Mon,Wed,Fri 09:00-12:00",
 * "always" (24 hours, every day) or "never".
 */
export function parseHours(spec: string): Hours {
  const s = spec.trim();
  if (/^(always|24x7|24\/7)$/i.test(s)) return { always: true, days: new Set([0, 1, 2, 3, 4, 5, 6]), ranges: [[0, 1440]], text: '全天' };
  if (/^(never|closed|none)$/i.test(s)) return { always: false, days: new Set(), ranges: [], text: '暂无人工服务时间' };
  const m = /^([A-Za-z,\- ]+?)\s+([\d:,\- ]+)$/.exec(s);
  if (!m) throw new Error(`"${spec}" is not staffed hours such as "Mon-Fri 09:00-17:00" or "always"`);
  const days = new Set<number>();
  for (const part of m[1].split(',').map((p) => p.trim()).filter(Boolean)) {
    const [a, b] = part.split('-').map((p) => p.trim());
    const from = dayIndex(a, spec);
    const to = b === undefined ? from : dayIndex(b, spec);
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  const ranges: Array<[number, number]> = [];
  for (const part of m[2].split(',').map((p) => p.trim()).filter(Boolean)) {
    const [a, b] = part.split('-').map((p) => p.trim());
    if (b === undefined) throw new Error(`"${part}" in "${spec}" is not a time range HH:MM-HH:MM`);
    const from = minutesOf(a, spec);
    const to = minutesOf(b, spec);
    if (to <= from) throw new Error(`"${part}" in "${spec}" ends before it starts`);
    ranges.push([from, to]);
  }
  const dayList = [...days].sort((x, y) => ((x + 6) % 7) - ((y + 6) % 7));
  const dayText = dayList.length === 7 ? '每天' : contiguous(dayList) ? `${DAY_TEXT[dayList[0]]}至${DAY_TEXT[dayList[dayList.length - 1]]}` : dayList.map((d) => DAY_TEXT[d]).join('、');
  const fmt = (n: number) => `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  return { always: false, days, ranges, text: `${dayText} ${ranges.map(([a, b]) => `${fmt(a)}-${fmt(b)}`).join('、')}` };
}

function contiguous(days: number[]): boolean {
  const mon = days.map((d) => (d + 6) % 7);
  return mon.length > 1 && mon.every((d, i) => i === 0 || d === mon[i - 1] + 1);
}

// One formatter per time zone, made when first asked for (making one costs far more than using it).
const clockFormats = new Map<string, Intl.DateTimeFormat>();
function clockFormat(timeZone: string): Intl.DateTimeFormat {
  let f = clockFormats.get(timeZone);
  if (!f) clockFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f;
}

/** Day of the week (0 = Sunday) and minutes after midnight at `at` in `timeZone`. */
export function localTime(at: number, timeZone: string): { day: number; minutes: number } {
  const parts = clockFormat(timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { day: DAYS.indexOf(get('weekday') as (typeof DAYS)[number]), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

export function isStaffed(hours: Hours, at: number, timeZone: string): boolean {
  if (hours.always) return true;
  const { day, minutes } = localTime(at, timeZone);
  return hours.days.has(day) && hours.ranges.some(([a, b]) => minutes >= a && minutes < b);
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

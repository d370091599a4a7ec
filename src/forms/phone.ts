/**
 * Mainland phone numbers. Mobiles: 11 digits, 1, then a second digit 3–9, within the number
 * segments (号段) allocated to carriers; +86/86 accepted. Landlines: a trunk 0, an area code
 * (010 and 02x are three digits, the rest four) and a local number of 7–8 digits that does not
 * start with 0 or 1 (010 and 02x locals have 8).
 *
 * What a validator can and cannot catch: a mobile number has no check digit, so a changed digit
 * among the last eight gives another well-formed number. What is caught: a wrong length, a first
 * digit other than 1, a second digit 0–2, and a three-digit prefix outside the allocated segments.
 * The dialogue therefore shows the number back (masked) for the citizen to confirm.
 */

/** Three-digit mobile prefixes in use (data-only and IoT segments 140–144, 146*, 148* excluded). */
export const MOBILE_PREFIXES = new Set<string>([
  ...range(130, 139),
  '145', '146', '147', '148', '149',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '162', '165', '166', '167',
  ...range(170, 178),
  ...range(180, 189),
  '190', '191', '192', '193', '195', '196', '197', '198', '199',
]);

function range(a: number, b: number): string[] {
  return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
}

export type PhoneKind = 'mobile' | 'landline';
export type PhoneResult = { ok: true; value: string; kind: PhoneKind } | { ok: false; error: string };

/** Digits of a number as typed: separators dropped, +86/0086/86 before a mobile removed. */
export function phoneDigits(input: string): string {
  const d = input.normalize('NFKC').replace(/[\s\-—–()（）.]/g, '');
  const m = /^(?:\+86|0086|86)(1\d{10})$/.exec(d);
  return m ? m[1] : d.replace(/^\+/, '');
}

export function validateMobile(input: string): PhoneResult {
  const d = phoneDigits(input);
  if (!/^\d+$/.test(d)) return { ok: false, error: '电话号码只能是数字，请核对。' };
  if (d[0] !== '1') return { ok: false, error: '手机号码应以1开头，请核对。' };
  if (d.length !== 11) return { ok: false, error: `手机号码应为11位，您输入的是${d.length}位，请核对。` };
  if (!/[3-9]/.test(d[1])) return { ok: false, error: `手机号码第2位不会是${d[1]}，请核对。` };
  if (!MOBILE_PREFIXES.has(d.slice(0, 3))) return { ok: false, error: `没有以${d.slice(0, 3)}开头的手机号码，请核对。` };
  return { ok: true, value: d, kind: 'mobile' };
}

/** Area codes with three digits (including the trunk 0): Beijing 010 and 020–029. */
const SHORT_AREA = /^(010|02\d)/;

export function validateLandline(input: string): PhoneResult {
  // (0755)12345678 and 0755 1234 5678 are written as 0755-12345678.
  const raw = input.normalize('NFKC').replace(/\s+/g, '').replace(/^[(（]/, '').replace(/[)）]/, '-');
  const d = raw.replace(/[-—–]/g, '');
  if (!/^\d+$/.test(d)) return { ok: false, error: '电话号码只能是数字，请核对。' };
  if (d[0] !== '0') {
    if (d.length >= 7 && d.length <= 8 && /^[2-9]/.test(d)) return { ok: false, error: '固定电话请加上区号，例如 0755-12345678。' };
    return { ok: false, error: '固定电话应以区号0开头，请核对。' };
  }
  if (d[1] === '0') return { ok: false, error: '区号的第2位不会是0，请核对。' };
  // With a separator the citizen told us where the area code ends.
  const sep = /^(0\d{2,3})[-—–]+(\d+)$/.exec(raw);
  const area = sep ? sep[1] : SHORT_AREA.test(d) ? d.slice(0, 3) : d.slice(0, 4);
  const local = sep ? sep[2] : d.slice(area.length);
  if (SHORT_AREA.test(area) !== (area.length === 3)) return { ok: false, error: `区号“${area}”不对，请核对。` };
  if (/^[01]/.test(local)) return { ok: false, error: '固定电话的本地号码不会以0或1开头，请核对。' };
  const want = area.length === 3 ? [8] : [7, 8];
  if (!want.includes(local.length)) {
    return { ok: false, error: `区号${area}的固定电话本地号码应为${want.join('或')}位，您输入的是${local.length}位，请核对。` };
  }
  return { ok: true, value: `${area}-${local}`, kind: 'landline' };
}

/** A mobile or a landline; `mobileOnly` for fields that receive text messages. */
export function validatePhone(input: string, opts: { mobileOnly?: boolean } = {}): PhoneResult {
  const d = phoneDigits(input);
  if (d.startsWith('1') || opts.mobileOnly) {
    const r = validateMobile(input);
    if (!r.ok && opts.mobileOnly && !d.startsWith('1')) return { ok: false, error: '这里需要手机号码（用于接收短信通知），请提供11位手机号。' };
    return r;
  }
  return validateLandline(input);
}

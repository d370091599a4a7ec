/**
 * Masking of citizens' personal data (PIPL). Used by the logger, analytics, exports and the
 * unanswered-questions list: the full values live only in the conversation record and drafts.
 */

// 18-digit resident ID (last may be X) and the old 15-digit form.
const ID_NUMBER = /(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])|(?<![0-9A-Za-z])[1-9]\d{14}(?![0-9A-Za-z])/g;
// Bank cards: 16–19 digits, optionally grouped by spaces or dashes.
const BANK_CARD = /(?<!\d)(\d{4})(?:[ -]?\d){8,11}([ -]?\d{4})(?!\d)/g;
// Mainland mobiles, optionally with +86 / 86 and separators.
const MOBILE = /(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;
// Landlines with an area code: 010-12345678, 0755 1234 5678.
const LANDLINE = /(?<!\d)(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?!\d)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

export function maskIdNumber(value: string): string {
  return value.length <= 8 ? '*'.repeat(value.length) : value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
}

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7) return '*'.repeat(value.length);
  return digits.slice(0, 3) + '****' + digits.slice(-4);
}

// Every pattern above holds three digits in a row or an @: text with neither (most log fields,
// most questions) has nothing to mask, and is returned without running the five patterns.
const MAYBE_PII = /\d{3}|@/;

/** Masks every ID number, bank card, phone number and e-mail address found in free text. */
export function maskPII(text: string): string {
  if (!MAYBE_PII.test(text)) return text;
  return text
    .replace(ID_NUMBER, (m) => maskIdNumber(m))
    .replace(BANK_CARD, (m) => {
      const d = m.replace(/\D/g, '');
      return d.slice(0, 4) + '*'.repeat(d.length - 8) + d.slice(-4);
    })
    .replace(MOBILE, (_m, head: string, _mid: string, tail: string) => `${head}****${tail}`)
    .replace(LANDLINE, (_m, area: string, mid: string, tail: string) => `${area}-${'*'.repeat(mid.length)}${tail}`)
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`);
}

/** Deep copy of a value with every string masked; for structured log fields and exports. */
export function maskDeep<T>(value: T, depth = 0): T {
  if (depth > 8) return value;
  if (typeof value === 'string') return maskPII(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
    return out as T;
  }
  return value;
}

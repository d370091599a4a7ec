/**
 * Resident identity numbers (公民身份号码, GB 11643-1999): 6-digit address code, 8-digit birth
 * date, 3-digit sequence (odd: male, even: female) and an ISO 7064 MOD 11-2 check character.
 * Because 11 is prime and every weight is non-zero mod 11, any single changed character and any
 * swap of two adjacent different digits changes the check character, so both are always caught.
 */
import { isValidDate, type CalendarDate } from './dates.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Province-level codes in use: 31 provinces, Hong Kong, Macao and Taiwan residents (81/82/83). */
export const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export interface IdNumberInfo {
  /** The 18-character number, X upper-case. */
  value: string;
  birthDate: string;
  sex: 'male' | 'female';
  /** Whole years of age on `today`. */
  age: number;
}

export type IdNumberResult = { ok: true; info: IdNumberInfo } | { ok: false; error: string };

export function ageOn(birth: CalendarDate, today: CalendarDate): number {
  let age = today.y - birth.y;
  if (today.m < birth.m || (today.m === birth.m && today.d < birth.d)) age--;
  return age;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Validates an identity number as typed (spaces allowed, x or X), and says exactly what is wrong:
 * the length, a stray character, the province code, the birth date, or the check digit.
 */
export function validateIdNumber(input: string, today: CalendarDate): IdNumberResult {
  const v = input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{15}$/.test(v)) {
    // First-generation cards (15 digits, no check digit) have not been valid since 2013; the
    // 18-digit number on the current card is what every form needs.
    return { ok: false, error: '这是15位的老身份证号码，第一代身份证已经停止使用。请提供您现在所用身份证上的18位号码。' };
  }
  if (!/^[\dX]+$/.test(v)) return { ok: false, error: '身份证号只能是数字，最后一位可能是字母X，请核对。' };
  if (v.length !== 18) return { ok: false, error: `身份证号应为18位，您输入的是${v.length}位，请核对。` };
  if (v.slice(0, 17).includes('X')) return { ok: false, error: '身份证号只有最后一位可能是字母X，前17位都是数字，请核对。' };
  if (!PROVINCE_CODES.has(v.slice(0, 2))) return { ok: false, error: `身份证号前两位“${v.slice(0, 2)}”不是有效的省份代码，请核对。` };
  const birth = { y: Number(v.slice(6, 10)), m: Number(v.slice(10, 12)), d: Number(v.slice(12, 14)) };
  const shown = `${v.slice(6, 10)}年${v.slice(10, 12)}月${v.slice(12, 14)}日`;
  if (birth.y < 1900 || !isValidDate(birth)) return { ok: false, error: `身份证号第7至14位是出生日期，“${shown}”不是有效日期，请核对。` };
  if (birth.y * 10000 + birth.m * 100 + birth.d > today.y * 10000 + today.m * 100 + today.d) {
    return { ok: false, error: `身份证号第7至14位的出生日期“${shown}”还没有到，请核对。` };
  }
  if (idCheckChar(v) !== v[17]) return { ok: false, error: '身份证号第18位校验不符，请核对。' };
  return {
    ok: true,
    info: {
      value: v,
      birthDate: `${birth.y}-${pad(birth.m)}-${pad(birth.d)}`,
      sex: Number(v[16]) % 2 === 1 ? 'male' : 'female',
      age: ageOn(birth, today),
    },
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysInMonth } from './dates.js';
import { idCheckChar, PROVINCE_CODES, validateIdNumber } from './id-number.js';

const TODAY = { y: 2026, m: 12, d: 1 };
const CHECK_ERROR = '身份证号第18位校验不符，请核对。';
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A valid resident ID: province, district digits, a birth date up to TODAY, sequence, check. */
const validId = fc
  .record({
    province: fc.constantFrom(...PROVINCE_CODES),
    district: fc.integer({ min: 0, max: 9999 }),
    y: fc.integer({ min: 1900, max: TODAY.y }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ province, district, y, m, d, seq }) => {
    d = Math.min(d, daysInMonth(y, m));
    if (y * 10000 + m * 100 + d > TODAY.y * 10000 + TODAY.m * 100 + TODAY.d) y = TODAY.y - 1;
    const first17 = `${province}${pad(district, 4)}${y}${pad(m)}${pad(d)}${pad(seq, 3)}`;
    return { id: first17 + idCheckChar(first17), birthDate: `${y}-${pad(m)}-${pad(d)}`, sex: seq % 2 === 1 ? 'male' : 'female' };
  });

/** Province and birth date still well-formed: then only the check digit can catch a change. */
function prefixStillWellFormed(id: string): boolean {
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const dateOk = y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && y * 10000 + m * 100 + d <= 20261201;
  return PROVINCE_CODES.has(id.slice(0, 2)) && dateOk;
}

describe('resident ID numbers (GB 11643)', () => {
  it('accepts every valid generated number and derives its birth date and sex', () => {
    fc.assert(
      fc.property(validId, ({ id, birthDate, sex }) => {
        const r = validateIdNumber(id, TODAY);
        expect(r).toMatchObject({ ok: true, info: { value: id, birthDate, sex } });
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects every single-character change (the check digit catches what nothing else does)', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), ({ id }, pos, shift) => {
        const alphabet = pos === 17 ? '0123456789X' : '0123456789';
        const at = alphabet.indexOf(id[pos]);
        const replacement = alphabet[(at + shift) % alphabet.length];
        if (replacement === id[pos]) return; // shift of 10 on a ten-letter alphabet: no change
        const changed = id.slice(0, pos) + replacement + id.slice(pos + 1);
        const r = validateIdNumber(changed, TODAY);
        expect(r.ok).toBe(false);
        if (prefixStillWellFormed(changed)) expect(r).toEqual({ ok: false, error: CHECK_ERROR });
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects every swap of two adjacent different digits among the first 17', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 15 }), ({ id }, pos) => {
        if (id[pos] === id[pos + 1]) return;
        const swapped = id.slice(0, pos) + id[pos + 1] + id[pos] + id.slice(pos + 2);
        expect(validateIdNumber(swapped, TODAY).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes a lower-case x and spaces as typed', () => {
    const r = validateIdNumber('110105 19491231 002x', TODAY);
    expect(r).toMatchObject({ ok: true, info: { value: '11010519491231002X', birthDate: '1949-12-31', sex: 'female', age: 76 } });
  });

  it.each([
    ['110101199003071234', CHECK_ERROR],
    ['11010119900307123', '身份证号应为18位，您输入的是17位，请核对。'],
    ['1101011990030712345', '身份证号应为18位，您输入的是19位，请核对。'],
    ['110101900307123', '这是15位的老身份证号码，第一代身份证已经停止使用。请提供您现在所用身份证上的18位号码。'],
    ['001011199003071233', '身份证号前两位“00”不是有效的省份代码，请核对。'],
    ['110101199002301230', '身份证号第7至14位是出生日期，“1990年02月30日”不是有效日期，请核对。'],
    ['110101202712011230', '身份证号第7至14位的出生日期“2027年12月01日”还没有到，请核对。'],
    ['1101011990030X1233', '身份证号只有最后一位可能是字母X，前17位都是数字，请核对。'],
    ['11010119900307123A', '身份证号只能是数字，最后一位可能是字母X，请核对。'],
  ])('says exactly what is wrong with %s', (input, error) => {
    expect(validateIdNumber(input, TODAY)).toEqual({ ok: false, error });
  });

  it('computes ages on the given day', () => {
    const r = validateIdNumber('110101194612021234'.slice(0, 17) + idCheckChar('11010119461202123'), TODAY);
    expect(r.ok && r.info.age).toBe(79); // 80 only from 2026-12-02
  });
});

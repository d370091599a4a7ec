import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MOBILE_PREFIXES, validateLandline, validateMobile, validatePhone } from './phone.js';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const validMobile = fc.tuple(fc.constantFrom(...MOBILE_PREFIXES), digits(8)).map(([p, rest]) => p + rest);
/** The same number as people type it: with spaces, dashes or +86. */
const typed = (n: string) => fc.constantFrom(n, `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`, `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`, `+86 ${n}`, `86${n}`);

const localDigit = fc.integer({ min: 2, max: 9 }).map(String);
const validLandline = fc.oneof(
  // 010 and 020–029: three-digit area code, eight-digit local number
  fc.tuple(fc.constantFrom('010', ...Array.from({ length: 10 }, (_, i) => `02${i}`)), localDigit, digits(7)).map(([a, f, r]) => ({ area: a, local: f + r })),
  // the rest: four-digit area code (0 + a non-zero digit + two), seven or eight digits
  fc.tuple(fc.integer({ min: 3, max: 9 }), digits(2), localDigit, fc.oneof(digits(6), digits(7))).map(([a, b, f, r]) => ({ area: `0${a}${b}`, local: f + r })),
);

describe('mobile numbers', () => {
  it('accepts every valid generated number however it is typed, as its 11 digits', () => {
    fc.assert(
      fc.property(validMobile.chain((n) => fc.tuple(fc.constant(n), typed(n))), ([n, t]) => {
        expect(validateMobile(t)).toEqual({ ok: true, value: n, kind: 'mobile' });
        expect(validatePhone(t)).toEqual({ ok: true, value: n, kind: 'mobile' });
      }),
      { numRuns: 2000 },
    );
  });

  // A mobile number has no check digit, so not every change can be caught. These can, by construction:
  it('rejects a first digit other than 1 as a mobile (with 0 it may be a landline: 0300-2000000)', () => {
    fc.assert(
      fc.property(validMobile, fc.constantFrom('0', '2', '3', '4', '5', '6', '7', '8', '9'), (n, d) => {
        expect(validateMobile(d + n.slice(1)).ok).toBe(false);
        if (d !== '0') expect(validatePhone(d + n.slice(1)).ok).toBe(false);
      }),
    );
  });

  it('rejects a second digit of 0, 1 or 2', () => {
    fc.assert(
      fc.property(validMobile, fc.constantFrom('0', '1', '2'), (n, d) => {
        expect(validatePhone(n[0] + d + n.slice(2)).ok).toBe(false);
      }),
    );
  });

  it('rejects a third digit that leaves the allocated number segments', () => {
    fc.assert(
      fc.property(validMobile, fc.integer({ min: 0, max: 9 }), (n, d) => {
        const changed = n.slice(0, 2) + d + n.slice(3);
        expect(validatePhone(changed).ok).toBe(MOBILE_PREFIXES.has(changed.slice(0, 3)));
      }),
    );
  });

  it('rejects every number with one digit left out or one digit too many (a leading 0 added may make a landline)', () => {
    fc.assert(
      fc.property(validMobile, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 9 }), (n, pos, d) => {
        const shorter = n.slice(0, pos) + n.slice(pos + 1);
        const longer = n.slice(0, pos) + d + n.slice(pos);
        expect(validateMobile(shorter).ok).toBe(false);
        expect(validateMobile(longer).ok).toBe(false);
        expect(validatePhone(shorter).ok).toBe(false);
        if (!longer.startsWith('0')) expect(validatePhone(longer).ok).toBe(false);
      }),
    );
  });

  it('cannot catch a changed digit among the last eight: that is another valid number (hence the read-back)', () => {
    fc.assert(
      fc.property(validMobile, fc.integer({ min: 3, max: 10 }), fc.integer({ min: 0, max: 9 }), (n, pos, d) => {
        expect(validatePhone(n.slice(0, pos) + d + n.slice(pos + 1)).ok).toBe(true);
      }),
    );
  });

  it.each([
    ['1391234567', '手机号码应为11位，您输入的是10位，请核对。'],
    ['139123456789', '手机号码应为11位，您输入的是12位，请核对。'],
    ['12912345678', '手机号码第2位不会是2，请核对。'],
    ['14012345678', '没有以140开头的手机号码，请核对。'],
  ])('says exactly what is wrong with %s', (input, error) => {
    expect(validatePhone(input)).toEqual({ ok: false, error });
  });
});

describe('landlines', () => {
  it('accepts every valid generated number, with or without a dash, as area-local', () => {
    fc.assert(
      fc.property(validLandline, fc.constantFrom('-', '', ' ', ')'), ({ area, local }, sep) => {
        const typedNumber = sep === ')' ? `(${area})${local}` : `${area}${sep}${local}`;
        expect(validatePhone(typedNumber)).toEqual({ ok: true, value: `${area}-${local}`, kind: 'landline' });
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a number whose trunk 0 becomes 2–9 (with 1 it may be a mobile), or whose local number starts with 0 or 1', () => {
    fc.assert(
      fc.property(validLandline, fc.integer({ min: 2, max: 9 }), fc.constantFrom('0', '1'), ({ area, local }, d, bad) => {
        expect(validatePhone(`${d}${area.slice(1)}-${local}`).ok).toBe(false);
        expect(validatePhone(`${area}-${bad}${local.slice(1)}`).ok).toBe(false);
      }),
    );
  });

  it('rejects a three-digit-area number with a digit left out of its local number', () => {
    fc.assert(
      fc.property(validLandline, fc.integer({ min: 0, max: 7 }), ({ area, local }, pos) => {
        fc.pre(area.length === 3 && pos > 0);
        expect(validatePhone(`${area}-${local.slice(0, pos) + local.slice(pos + 1)}`).ok).toBe(false);
      }),
    );
  });

  it('asks for the area code when it is missing', () => {
    expect(validateLandline('26881234')).toEqual({ ok: false, error: '固定电话请加上区号，例如 0755-12345678。' });
  });

  it('wants a mobile for text-message fields', () => {
    expect(validatePhone('0755-26881234', { mobileOnly: true })).toEqual({ ok: false, error: '这里需要手机号码（用于接收短信通知），请提供11位手机号。' });
  });
});

import { describe, expect, it } from 'vitest';
import { allowedNumbers, numbersIn, parseChineseNumeral } from './numbers.js';

const claims = (s: string) => numbersIn(s, 'claims').map((n) => n.value);

describe('Chinese numerals', () => {
  it('reads structured and digit-by-digit numerals', () => {
    expect(parseChineseNumeral('十')).toBe('10');
    expect(parseChineseNumeral('十五')).toBe('15');
    expect(parseChineseNumeral('二十')).toBe('20');
    expect(parseChineseNumeral('六十')).toBe('60');
    expect(parseChineseNumeral('一百零五')).toBe('105');
    expect(parseChineseNumeral('两万五千')).toBe('25000');
    expect(parseChineseNumeral('三千五百')).toBe('3500');
    expect(parseChineseNumeral('一亿')).toBe('100000000');
    expect(parseChineseNumeral('二〇二五')).toBe('2025');
  });

  it('refuses what is not one number', () => {
    expect(parseChineseNumeral('千万')).toBeNull();
    expect(parseChineseNumeral('三十四五')).toBeNull();
  });
});

describe('numbers a reply states', () => {
  it('finds fees, days, ages, amounts, phone numbers in digits and in numerals', () => {
    expect(claims('工本费20元，15个工作日，十六周岁以上，百分之五十，1.5万元，电话0000-12345678')).toEqual(['20', '15', '16', '50', '15000', '0000', '12345678']);
    expect(claims('２０元')).toEqual(['20']);
    expect(claims('1,200元')).toEqual(['1200']);
  });

  it('reads a lone numeral character only as a quantity', () => {
    expect(claims('统一办理，一下子就好，一次性告知，第一时间，百姓')).toEqual([]);
    expect(claims('一年内有效，两天办好，三个月')).toEqual(['1', '2', '3']);
  });

  it('skips words made of numerals and formatting', () => {
    expect(claims('万一丢了，千万不要着急')).toEqual([]);
    expect(claims('1. 预约\n2. 申请\n第三步，领证')).toEqual([]);
  });

  it('finds the same values in the source, generously', () => {
    const allowed = allowedNumbers(['自受理之日起60日内发放；未满十六周岁；工本费20元/证；示例市公安局户政咨询：0000-12345678']);
    for (const v of ['60', '16', '20', '0000', '12345678', '000012345678']) expect(allowed.has(v)).toBe(true);
    expect(allowed.has('30')).toBe(false);
  });
});

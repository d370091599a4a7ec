import { describe, expect, it } from 'vitest';
import { findNumbers, parseAmount, parseChineseNumeral } from './numbers.js';

describe('amounts and Chinese numerals', () => {
  it.each([
    ['3500', 3500],
    ['3,500', 3500],
    ['3500.5', 3500.5],
    ['3500元', 3500],
    ['三千五', 3500],
    ['三千五百块', 3500],
    ['三千零五', 3005],
    ['一千零五十', 1050],
    ['两千八', 2800],
    ['三百五', 350],
    ['十五', 15],
    ['八十二', 82],
    ['一万二', 12000],
    ['十万', 100000],
    ['1.5万', 15000],
    ['3万5', 35000],
    ['3千5', 3500],
    ['1万2千', 12000],
    ['二〇二五', 2025],
  ])('%s = %d', (text, n) => {
    expect(parseAmount(text)).toBe(n);
  });

  it('is not fooled by words that are not numbers', () => {
    expect(parseChineseNumeral('三五')).toBeNull();
    expect(parseAmount('很多')).toBeNull();
  });

  it('finds the amounts in a sentence', () => {
    expect(findNumbers('月租三千五，押一付三').map((n) => n.value)).toEqual([3500, 1, 3]);
  });
});

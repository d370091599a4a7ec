import { describe, expect, it } from 'vitest';
import { calendarDateIn, findDates, toIsoDate, type CalendarDate, type DateLean } from './dates.js';

// Tuesday 1 December 2026 in Asia/Shanghai.
const TODAY: CalendarDate = { y: 2026, m: 12, d: 1 };
const one = (text: string, lean: DateLean = 'any') => {
  const found = findDates(text, TODAY, lean);
  expect(found, text).toHaveLength(1);
  const r = found[0].result;
  return r.ok ? toIsoDate(r.date) : r.error;
};

describe('dates as people write them', () => {
  it.each([
    ['2025年3月1日', '2025-03-01'],
    ['2025年3月1号', '2025-03-01'],
    ['二〇二五年三月一日', '2025-03-01'],
    ['2025-3-1', '2025-03-01'],
    ['2025/03/01', '2025-03-01'],
    ['2025.3.1', '2025-03-01'],
    ['３月１号', '2026-03-01'],
    ['十二月二十五日', '2026-12-25'],
    ['今天', '2026-12-01'],
    ['明天', '2026-12-02'],
    ['后天', '2026-12-03'],
    ['大后天', '2026-12-04'],
    ['昨天', '2026-11-30'],
    ['下周一', '2026-12-07'],
    ['下星期五', '2026-12-11'],
    ['下下周三', '2026-12-16'],
    ['这周日', '2026-12-06'],
    ['上礼拜二', '2026-11-24'],
    ['下个月5号', '2027-01-05'],
    ['上个月15号', '2026-11-15'],
    ['三天后', '2026-12-04'],
    ['两周后', '2026-12-15'],
  ])('%s → %s', (text, iso) => {
    expect(one(`我想${text}去办`)).toBe(iso);
  });

  it('reads a date without a year forwards or backwards as the field wants', () => {
    expect(one('3月1号', 'future')).toBe('2027-03-01');
    expect(one('3月1号', 'past')).toBe('2026-03-01');
    expect(one('12月25号', 'past')).toBe('2025-12-25');
    expect(one('周一', 'future')).toBe('2026-12-07'); // this week's Monday has passed
    expect(one('周一', 'past')).toBe('2026-11-30');
  });

  it('says exactly what is wrong with a date that does not exist', () => {
    expect(one('2025年2月30日')).toBe('2025年2月没有30日，请核对日期。');
    expect(one('2025-13-01')).toBe('“2025-13-01”里的月份不对，一年只有12个月，请核对。');
  });

  it('finds several dates in one message, left to right, without reading 3月份 as a date', () => {
    const found = findDates('我10月31日离职，想下周一去办，3月份交过材料', TODAY, 'any');
    expect(found.map((f) => (f.result.ok ? toIsoDate(f.result.date) : f.result.error))).toEqual(['2026-10-31', '2026-12-07']);
  });

  it('takes "today" in Asia/Shanghai, not UTC', () => {
    // 20:30 UTC on 1 December is 04:30 on 2 December in Shanghai.
    expect(calendarDateIn(new Date('2026-12-01T20:30:00Z'))).toEqual({ y: 2026, m: 12, d: 2 });
  });
});

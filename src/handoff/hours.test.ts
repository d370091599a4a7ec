import { describe, expect, it } from 'vitest';
import { isStaffed, parseHours, parseMinutes, PerDepartment } from './hours.js';

// 2026-12-07 is a Monday. Times are given in Beijing time (UTC+8).
const beijing = (iso: string) => Date.parse(`${iso}+08:00`);

describe('staffed hours', () => {
  const spec = 'default=Mon-Fri 09:00-17:00;公安=Mon-Sat 08:30-12:00,13:30-17:30';
  const hours = PerDepartment.parse(spec, parseHours, parseHours('always'));

  it('reads per-department hours with a default', () => {
    expect(hours.get('人社').text).toBe('周一至周五 09:00-17:00');
    expect(hours.get('公安').text).toBe('周一至周六 08:30-12:00、13:30-17:30');
  });

  it('decides by the local time of Asia/Shanghai', () => {
    const tz = 'Asia/Shanghai';
    expect(isStaffed(hours.get('人社'), beijing('2026-12-07T09:00:00'), tz)).toBe(true);
    expect(isStaffed(hours.get('人社'), beijing('2026-12-07T08:59:00'), tz)).toBe(false);
    expect(isStaffed(hours.get('人社'), beijing('2026-12-07T17:00:00'), tz)).toBe(false);
    expect(isStaffed(hours.get('人社'), beijing('2026-12-12T10:00:00'), tz)).toBe(false); // Saturday
    expect(isStaffed(hours.get('公安'), beijing('2026-12-12T10:00:00'), tz)).toBe(true);
    expect(isStaffed(hours.get('公安'), beijing('2026-12-07T12:30:00'), tz)).toBe(false); // lunch
    expect(isStaffed(hours.get('公安'), beijing('2026-12-13T10:00:00'), tz)).toBe(false); // Sunday
    // 02:00 UTC on Monday is 10:00 in Beijing.
    expect(isStaffed(hours.get('人社'), Date.parse('2026-12-07T02:00:00Z'), tz)).toBe(true);
  });

  it('knows always and never', () => {
    expect(isStaffed(parseHours('always'), Date.now(), 'Asia/Shanghai')).toBe(true);
    expect(isStaffed(parseHours('never'), Date.now(), 'Asia/Shanghai')).toBe(false);
  });

  it('says exactly what is wrong with bad hours', () => {
    expect(() => parseHours('Mon-Fri 9-17')).toThrow(/not a time HH:MM/);
    expect(() => parseHours('Mon-Fry 09:00-17:00')).toThrow(/"Fry".*not a day/);
    expect(() => parseHours('Mon-Fri 17:00-09:00')).toThrow(/ends before it starts/);
    expect(() => PerDepartment.parse('公安=Mon-Fri 09:00-17:00;公安=always', parseHours, parseHours('always'))).toThrow(/given twice/);
    expect(() => PerDepartment.parse('always;公安=always', parseHours, parseHours('always'))).toThrow(/needs a department/);
  });

  it('reads minutes per department, decimals allowed', () => {
    const m = PerDepartment.parse('default=10;公安=0.5', parseMinutes, 1);
    expect(m.get('公安')).toBe(0.5);
    expect(m.get('民政')).toBe(10);
    expect(PerDepartment.parse('15', parseMinutes, 1).get('x')).toBe(15);
    expect(() => parseMinutes('-3')).toThrow(/not a number of minutes/);
  });
});

import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOM, csvField, csvRow } from './csv.js';

describe('CSV escaping', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, and doubles quotes', () => {
    expect(csvRow(['a', 'b,c', 'say "hi"', 'two\nlines', ' pad', 3, null, undefined, true])).toBe('a,"b,c","say ""hi""","two\nlines"," pad",3,,,true\r\n');
    expect(csvField('中文，全角逗号不用引号')).toBe('中文，全角逗号不用引号');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('defuses spreadsheet formulas (CSV injection)', () => {
    for (const f of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx']) expect(csvField(f).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvField(-5)).toBe('-5'); // numbers are numbers
  });

  it('round-trips any text through a real CSV parser', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = BOM + rows.map(csvRow).join('');
        const back = parse(text, { bom: true, relax_column_count: true }) as string[][];
        const expected = rows.map((r) => r.map((f) => (/^[=+\-@\t\r]/.test(f) ? `'${f}` : f)));
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

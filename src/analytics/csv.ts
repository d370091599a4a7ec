/**
 * CSV (RFC 4180) for exports opened in Excel/WPS: fields with a comma, quote or line break are
 * quoted and quotes doubled; text starting with = + - @ (or a tab/CR) is prefixed with ' so a
 * spreadsheet never runs it as a formula (CSV injection); rows end in CRLF; the file starts with
 * a UTF-8 byte-order mark so Excel reads Chinese correctly.
 */
export const BOM = '\uFEFF';

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(fields: unknown[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

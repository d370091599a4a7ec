import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';

/**
 * FAQ pairs from a spreadsheet (CSV or XLSX): columns question, answer and optionally the
 * guide id, found by their header (English or Chinese), so staff can export from Excel as is.
 */

export interface FaqRow {
  row: number;
  question: string;
  answer: string;
  guide?: string;
}

export interface FaqTable {
  rows: FaqRow[];
  rejected: { row: number; reason: string }[];
}

const HEADERS: Record<'question' | 'answer' | 'guide', RegExp> = {
  question: /^(question|q|问题|问|咨询问题|标准问题)$/i,
  answer: /^(answer|a|答案|答|回答|答复|标准答案)$/i,
  guide: /^(guide|guide_?id|guideid|事项|事项编码|指南|办事指南)$/i,
};

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    const o = v as { text?: unknown; richText?: { text: string }[]; result?: unknown; hyperlink?: string };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
    if (v instanceof Date) return v.toISOString().slice(0, 10);
  }
  return String(v);
}

async function readRows(path: string, data?: Buffer): Promise<string[][]> {
  const buf = data ?? (await readFile(path));
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx') {
    // Loaded when a spreadsheet comes: exceljs and its zip stack cost the server's start-up ~0.3 s.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    // exceljs types its load() argument as an older Buffer type than Node 20's.
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) return [];
    const rows: string[][] = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= Math.max(row.cellCount, 3); c++) cells.push(cellText(row.getCell(c).value));
      rows.push(cells);
    }
    return rows;
  }
  if (ext === '.csv' || ext === '.txt') {
    return parseCsv(buf.toString('utf8').replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false }) as string[][];
  }
  throw new Error(`unsupported FAQ file type "${ext}": use .csv or .xlsx`);
}

export async function readFaqTable(path: string, data?: Buffer): Promise<FaqTable> {
  const rows = await readRows(path, data);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const col = (k: keyof typeof HEADERS) => header.findIndex((h) => HEADERS[k].test(h));
  const q = col('question');
  const a = col('answer');
  const g = col('guide');
  if (q < 0 || a < 0) {
    return { rows: [], rejected: [{ row: 1, reason: `header must name the columns question and answer (or 问题 and 答案); found: ${header.join(', ') || 'nothing'}` }] };
  }
  const out: FaqTable = { rows: [], rejected: [] };
  const seen = new Map<string, number>();
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const question = (cells[q] ?? '').trim();
    const answer = (cells[a] ?? '').trim();
    const guide = g >= 0 ? (cells[g] ?? '').trim() : '';
    if (!question && !answer && !guide) return; // blank line
    if (!question) return out.rejected.push({ row, reason: 'question is empty' });
    if (!answer) return out.rejected.push({ row, reason: 'answer is empty' });
    if (question.length > 300) return out.rejected.push({ row, reason: 'question is longer than 300 characters' });
    const key = question.replace(/\s+/g, '');
    if (seen.has(key)) return out.rejected.push({ row, reason: `same question as row ${seen.get(key)}` });
    seen.set(key, row);
    out.rows.push({ row, question, answer, ...(guide ? { guide } : {}) });
  });
  return out;
}

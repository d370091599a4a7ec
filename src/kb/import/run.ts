import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { renderFaqFile, renderGuide } from '../render.js';
import { GUIDE_ID } from '../schema.js';
import { importGdzwfwRecord } from './gdzwfw.js';
import { readFaqTable } from './faq-table.js';

export interface ImportReport {
  format: string;
  file: string;
  into: string;
  imported: number;
  rejected: { line: number; reason: string }[];
}

const MANIFEST = '.import.json';

/**
 * Prepares an import target. A folder made by an earlier import is replaced whole (so a
 * withdrawn record disappears); a folder with hand-written content is never overwritten.
 */
function prepareTarget(into: string, sub: 'guides' | 'faq', name: string): void {
  const dir = join(into, sub);
  const manifest = join(into, MANIFEST);
  if (existsSync(dir) && readdirSync(dir).length && !existsSync(manifest)) {
    throw new Error(`${dir} already holds content that was not imported; choose an empty --into folder`);
  }
  if (sub === 'guides' && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (sub === 'faq' && existsSync(dir)) {
    for (const f of readdirSync(dir)) if (f.startsWith(`${name}-`) || f === `${name}.md`) rmSync(join(dir, f));
  }
  mkdirSync(dir, { recursive: true });
}

function writeManifest(report: ImportReport): void {
  writeFileSync(join(report.into, MANIFEST), JSON.stringify({ ...report, rejected: report.rejected.length, at: new Date().toISOString() }, null, 2));
}

/** Imports a gdzwfw JSON-lines export into `<into>/guides/<department>/<TASK_CODE>.md`. */
export async function importGdzwfwFile(file: string, into: string, onProgress?: (line: number) => void): Promise<ImportReport> {
  prepareTarget(into, 'guides', '');
  const report: ImportReport = { format: 'gdzwfw', file, into, imported: 0, rejected: [] };
  const seen = new Map<string, number>();
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    onProgress?.(line);
    if (!text.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      report.rejected.push({ line, reason: `not valid JSON: ${(e as Error).message}` });
      continue;
    }
    const r = importGdzwfwRecord(raw);
    if (!r.ok) {
      report.rejected.push({ line, reason: r.reason });
      continue;
    }
    const { fm, sections } = r.guide;
    const first = seen.get(fm.id);
    if (first) {
      report.rejected.push({ line, reason: `TASK_CODE ${fm.id} already imported from line ${first}` });
      continue;
    }
    seen.set(fm.id, line);
    const dir = join(into, 'guides', fm.department);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${fm.id}.md`), renderGuide(fm, sections));
    report.imported++;
  }
  writeManifest(report);
  return report;
}

/** Imports FAQ pairs from CSV/XLSX into `<into>/faq/`, one file per guide they belong to. */
export async function importFaqFile(file: string, into: string, knownGuides: ReadonlySet<string>, data?: Buffer): Promise<ImportReport> {
  const stem = basename(file, extname(file)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  const name = `faq-${stem || 'imported'}`.slice(0, 48);
  prepareTarget(into, 'faq', name);
  const table = await readFaqTable(file, data);
  const report: ImportReport = { format: 'faq', file, into, imported: 0, rejected: table.rejected.map((r) => ({ line: r.row, reason: r.reason })) };
  const groups = new Map<string, typeof table.rows>();
  for (const row of table.rows) {
    if (row.guide && (!GUIDE_ID.test(row.guide) || !knownGuides.has(row.guide))) {
      report.rejected.push({ line: row.row, reason: `unknown guide id "${row.guide}"` });
      continue;
    }
    const key = row.guide ?? '';
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const updated = new Date().toISOString().slice(0, 10);
  // Pairs of no guide are found by their file's title: the file's own name says what they are about.
  const topic = basename(file, extname(file)).replace(/[\s_-]+/g, ' ').trim().slice(0, 30);
  for (const [guide, rows] of groups) {
    const id = guide ? `${name}-${guide}`.slice(0, 64) : name;
    const fm = { id, title: guide ? `常见问题（${guide}）` : topic ? `常见问题（${topic}）` : '常见问题', ...(guide ? { guide } : {}), source: `导入自 ${basename(file)}`, updated };
    writeFileSync(join(into, 'faq', `${id}.md`), renderFaqFile(fm, rows));
    report.imported += rows.length;
  }
  report.rejected.sort((a, b) => a.line - b.line);
  writeManifest(report);
  return report;
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../load.js';
import { importFaqFile } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'govchat-faq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const known = new Set(['id-card-renewal']);

describe('FAQ import from spreadsheets', () => {
  it('imports CSV rows, groups them by guide and reports bad rows with their row number', async () => {
    const file = join(tmp, 'hall.csv');
    writeFileSync(
      file,
      '\uFEFF问题,答案,事项\n大厅几点开门？,周一至周五9点,\n换证要带什么？,原身份证,id-card-renewal\n,没有问题,\n没有答案？,,\n大厅几点开门？,重复,\n未知事项？,答,no-such-guide\n',
    );
    const into = join(tmp, 'csv');
    const report = await importFaqFile(file, into, known);
    expect(report.imported).toBe(2);
    expect(report.rejected).toEqual([
      { line: 4, reason: 'question is empty' },
      { line: 5, reason: 'answer is empty' },
      { line: 6, reason: 'same question as row 2' },
      { line: 7, reason: 'unknown guide id "no-such-guide"' },
    ]);
    // Loaded beside the knowledge base whose guide the pairs name.
    const kb = loadKnowledgeBase(['knowledge', into]);
    expect(kb.problems).toEqual([]);
    const attached = kb.faqs.find((f) => f.guide === 'id-card-renewal');
    expect(attached?.pairs).toEqual([expect.objectContaining({ question: '换证要带什么？', answer: '原身份证' })]);
  });

  it('imports XLSX with English headers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('faq');
    ws.addRow(['question', 'answer']);
    ws.addRow(['停车方便吗？', '政务中心地下停车场免费两小时']);
    ws.addRow(['可以刷医保卡吗？', '可以']);
    const file = join(tmp, 'parking.xlsx');
    await wb.xlsx.writeFile(file);
    const report = await importFaqFile(file, join(tmp, 'xlsx'), known);
    expect(report).toMatchObject({ imported: 2, rejected: [] });
    const kb = loadKnowledgeBase([join(tmp, 'xlsx')]);
    expect(kb.faqs[0].pairs.map((p) => p.question)).toEqual(['停车方便吗？', '可以刷医保卡吗？']);
  });

  it('rejects a sheet without question/answer columns, saying what it found', async () => {
    const file = join(tmp, 'wrong.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const report = await importFaqFile(file, join(tmp, 'wrong'), known);
    expect(report.imported).toBe(0);
    expect(report.rejected[0].reason).toMatch(/question and answer.*found: a, b/);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../load.js';
import { duration, importGdzwfwRecord, splitItems } from './gdzwfw.js';
import { importGdzwfwFile } from './run.js';

const EXPORT = '../shared/data/gd-service-guides.jsonl';
const tmp = mkdtempSync(join(tmpdir(), 'govchat-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gdzwfw importer', () => {
  it('imports all 2,262 records of the real Guangdong export, and they pass kb:check', async () => {
    const into = join(tmp, 'gd');
    const report = await importGdzwfwFile(EXPORT, into);
    expect(report.rejected).toEqual([]);
    expect(report.imported).toBe(2262);
    const kb = loadKnowledgeBase([into]);
    expect(kb.problems).toEqual([]);
    expect(kb.guides).toHaveLength(2262);
    // id = TASK_CODE, and the fields land in their sections.
    const first = JSON.parse(readFileSync(EXPORT, 'utf8').split('\n')[0]);
    const g = kb.byId.get(first.TASK_CODE)!;
    expect(g.title).toBe(first.TASK_NAME);
    expect(g.department).toBe(first.DEPT_NAME);
    expect(g.sections.find((s) => s.aspect === 'materials')?.text).toContain('提价申报申请报告');
    expect(g.sections.find((s) => s.aspect === 'time')?.text).toContain('法定办结时限：30个工作日');
    expect(g.sections.find((s) => s.aspect === 'contact')?.text).toContain('020-34121084');
  });

  it('reports each record it cannot import with its line and reason, and imports the rest', async () => {
    const file = join(tmp, 'bad.jsonl');
    const good = readFileSync(EXPORT, 'utf8').split('\n')[0];
    writeFileSync(
      file,
      [good, '{not json', JSON.stringify({ TASK_NAME: '无编码' }), JSON.stringify({ TASK_CODE: 'ABC123', TASK_NAME: '无', matter_name: null }), good, ''].join('\n'),
    );
    const report = await importGdzwfwFile(file, join(tmp, 'bad'));
    expect(report.imported).toBe(1);
    expect(report.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(report.rejected[0].reason).toMatch(/not valid JSON/);
    expect(report.rejected[1].reason).toMatch(/TASK_CODE/);
    expect(report.rejected[2].reason).toMatch(/no service name/);
    expect(report.rejected[3].reason).toMatch(/already imported from line 1/);
  });

  it('refuses to overwrite a folder of hand-written guides', async () => {
    await expect(importGdzwfwFile(EXPORT, 'knowledge')).rejects.toThrow(/not imported/);
  });

  it('cleans up the messy values of real exports', () => {
    expect(duration('30(工作日)')).toBe('30个工作日');
    expect(duration('0(工作日)')).toBe('即办（当场办结）');
    expect(duration('无')).toBe('');
    expect(splitItems('符合以下条件： 1.初始注册； 2.延续注册')).toBe('符合以下条件：\n1.初始注册；\n2.延续注册');
    const r = importGdzwfwRecord({ TASK_CODE: 'X1', TASK_NAME: '某事项', DEPT_NAME: '某/部门', material_intro: '无', handle_location: '无线下办理窗口', consult_phone: '无' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.guide.fm.department).toBe('某_部门');
    expect(r.guide.sections.materials).toMatch(/未列明申请材料/);
    expect(r.guide.sections.location).toMatch(/无线下办理窗口/);
    expect(r.guide.sections.contact).toBeUndefined();
  });
});

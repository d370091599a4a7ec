import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { at, seedRecords } from '../../test/support/seed.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { Exports } from './export.js';
import { ALL_DEPARTMENTS } from './scope.js';

const kb = loadKnowledgeBase(['knowledge']);
// Decoded by hand: Response.text() would drop the byte-order mark the test checks for.
const read = async (s: ReadableStream<Uint8Array>) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(s).arrayBuffer());
const rowsOf = (text: string) => parse(text, { bom: true, columns: true }) as Record<string, string>[];

describe.each(DIALECTS)('CSV exports on %s', (dialect) => {
  let t: TestDatabase;
  // Batches of two: the keyset paging across batches is exercised.
  let exports: Exports;
  const period = { from: at('11-01 00:00'), to: at('11-04 00:00') };

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    await seedRecords(t.db);
    exports = new Exports(t.db, { kb: () => kb, batch: 2 });
  });
  afterAll(async () => t?.dispose());

  it('ratings.csv: the period’s ratings, comments masked, times in China time, with a BOM for Excel', async () => {
    const text = await read(exports.ratingsCsv({ ...period, scope: ALL_DEPARTMENTS }));
    expect(text.startsWith('\uFEFF评价编号,')).toBe(true);
    expect(text).not.toContain('13812345678');
    const rows = rowsOf(text);
    expect(rows.map((r) => r['对话编号'])).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(rows[1]).toMatchObject({ 部门: '综合', 等级: '1', 等级名称: '非常不满意', 评价内容: '什么都答不上来，回电138****5678', 评价时间: '2026-11-01T10:02:00+08:00', 差评回访: '待回访', 回访期限: '2026-11-08T10:02:00+08:00' });
    expect(rows[0]).toMatchObject({ 等级名称: '非常满意', 评价内容: '很快，谢谢', 差评回访: '' });
    const ga = rowsOf(await read(exports.ratingsCsv({ ...period, scope: { departments: ['公安'] } })));
    expect(ga.map((r) => r['对话编号'])).toEqual(['c1', 'c4']);
  });

  it('conversations.csv: one row per conversation, first question masked, counts, handoff and rating', async () => {
    const text = await read(exports.conversationsCsv({ ...period, scope: ALL_DEPARTMENTS }));
    expect(text).not.toContain('13812345678');
    const rows = rowsOf(text);
    expect(rows.map((r) => r['对话编号'])).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c7']);
    const by = Object.fromEntries(rows.map((r) => [r['对话编号'], r]));
    expect(by.c2).toMatchObject({ 部门: '综合', 首个问题: '怎么申请专利，我电话138****5678', 消息数: '2', 群众消息数: '1', 转人工: '否', 评价等级: '1' });
    expect(by.c3).toMatchObject({ 部门: '人社', 事项: kb.byId.get('retirement')!.title, 状态: '已结束', 转人工: '是', 评价: '不满意', 消息数: '4', 开始时间: '2026-11-02T11:00:00+08:00', 最后活动: '2026-11-02T11:05:00+08:00' });
    expect(by.c4).toMatchObject({ 部门: '公安', 首个问题: '身份证', 转人工: '是', 评价等级: '4' });
    expect(by.c7).toMatchObject({ 渠道: 'wechat', 部门: '人社', 评价等级: '', 转人工: '否' });
    const zh = rowsOf(await read(exports.conversationsCsv({ ...period, scope: { departments: ['综合'] } })));
    expect(zh.map((r) => r['对话编号'])).toEqual(['c2', 'c5']);
    const none = rowsOf(await read(exports.conversationsCsv({ from: at('12-01 00:00'), to: at('12-02 00:00'), scope: ALL_DEPARTMENTS })));
    expect(none).toEqual([]);
  });
});

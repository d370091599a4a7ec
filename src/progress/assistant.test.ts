import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';
import type { Reply } from '../dialogue/reply.js';
import { parseProgressQuery } from './assistant.js';
import { HttpCaseSystem } from './http-case-system.js';

async function talk(t: TestApp, ...messages: string[]): Promise<Reply[]> {
  const out: Reply[] = [];
  let sessionId: string | null = null;
  for (const message of messages) {
    const r: Reply = await t.services.engine.handle({ sessionId, message, channel: 'web' });
    sessionId = r.sessionId;
    out.push(r);
  }
  return out;
}

describe('reading a progress query', () => {
  it.each([
    ['查询办件 SL20261101001 进度', { caseNo: 'SL20261101001', phoneLast4: null }],
    ['受理编号 2025030100123 尾号5678', { caseNo: '2025030100123', phoneLast4: '5678' }],
    ['SL20261101001 5678', { caseNo: 'SL20261101001', phoneLast4: '5678' }],
    ['手机后四位是1234', { caseNo: null, phoneLast4: '1234' }],
    ['13912345678', { caseNo: null, phoneLast4: '5678', wholePhone: true }],
    ['sl-20261101001', { caseNo: 'SL20261101001' }],
  ])('%s', (text, want) => {
    expect(parseProgressQuery(text)).toMatchObject(want);
  });

  it('never takes an ID number for a case number', () => {
    expect(parseProgressQuery('110101199003071233')).toMatchObject({ caseNo: null, idNumberGiven: true });
  });
});

describe('progress queries with the demo cases', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('asks for the case number, then the phone digits, then gives status, step and expected date', async () => {
    const [ask, digits, result] = await talk(t, '查下进度', 'SL20261101001', '5678');
    expect(ask.intent.name).toBe('progress');
    expect(ask.text).toContain('办件编号');
    expect(digits.text).toContain('手机号码的后四位');
    expect(result.type).toBe('answer');
    expect(result.intent.name).toBe('progress');
    expect(result.text).toContain('示例数据');
    expect(result.text).toContain('当前状态：制证中');
    expect(result.text).toContain('当前环节：制证');
    expect(result.text).toContain('预计办结：2026年12月10日');
  });

  it('answers at once when both are given', async () => {
    const [r] = await talk(t, '我的失业金申请 SL20261105017 办到哪一步了 尾号1234');
    expect(r.text).toContain('失业保险金申领');
    expect(r.text).toContain('当前状态：审核中');
  });

  it('does not tell whether a case exists when the digits do not match, and stops after three misses', async () => {
    const [, , miss1, miss2, miss3, blocked] = await talk(t, '查进度', 'SL20261101001', '0000', 'SL20261101001 1111', 'SL20261101001 2222', 'SL20261101001 5678');
    expect(miss1.text).toContain('没有查到');
    expect(miss1.text).not.toContain('居住证');
    expect(miss2.text).toContain('没有查到');
    expect(miss3.text).toContain('没有查到');
    expect(blocked.type).toBe('no_answer');
    expect(blocked.text).toContain('暂时不能再查询');
    expect(blocked.text).not.toContain('制证');
  });

  it('lets the citizen drop the query and ask something else', async () => {
    const [, other] = await talk(t, '查进度', '居住证要多少钱');
    expect(other.type).toBe('answer');
    expect(other.citations[0]?.guideId).toBe('residence-permit');
  });
});

describe('progress queries when the case system is down', () => {
  let server: Server;
  let t: TestApp;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await testApp({ cases: new HttpCaseSystem({ baseUrl, timeoutMs: 500, retries: 1, retryDelayMs: 10 }) });
  });
  afterAll(async () => {
    await t?.dispose();
    await new Promise((r) => server.close(r));
  });

  it('says plainly that progress cannot be looked up now, and where else to look', async () => {
    const [r] = await talk(t, '查进度 SL20261101001 尾号5678');
    expect(r.type).toBe('no_answer');
    expect(r.text).toContain('办件系统暂时连接不上');
    expect(r.text).toContain('12345');
    expect(r.suggestions).toContain('转人工');
  });
});

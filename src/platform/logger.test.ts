import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript, scriptArgs } from '../../test/support/script.js';
import { logFields, REDACTED } from './log-fields.js';
import { createLogger } from './logger.js';

function captured(level = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the logger keeps secrets and personal data out of its lines', () => {
  it("writes a secret as [redacted] wherever its key is, in the entry and in a child’s bindings", () => {
    const { logger, lines, entries } = captured();
    logger.child({ requestId: 'r1', apiKey: 'sk-bound-1' }).info(
      {
        password: 'pw-top-1',
        staff: { username: 'li', Password: 'pw-nested-2', session: { token: 'tok-deep-3' } },
        req: { headers: { authorization: 'Bearer abc-4', cookie: 'sid=c-5', accept: 'application/json' } },
        wechat: { access_token: 'at-6', 'api-key': 'ak-7' },
        list: [{ secret: 's-8' }],
        tokens: 1234,
        attempts: 3,
      },
      'login',
    );
    const text = lines.join('');
    for (const s of ['sk-bound-1', 'pw-top-1', 'pw-nested-2', 'tok-deep-3', 'abc-4', 'c-5', 'at-6', 'ak-7', 's-8']) expect(text, s).not.toContain(s);
    const [e] = entries();
    expect(e.requestId).toBe('r1');
    expect(e.apiKey).toBe(REDACTED);
    expect(e.password).toBe(REDACTED);
    expect(e.staff).toEqual({ username: 'li', Password: REDACTED, session: { token: REDACTED } });
    expect(e.req).toEqual({ headers: { authorization: REDACTED, cookie: REDACTED, accept: 'application/json' } });
    expect(e.list).toEqual([{ secret: REDACTED }]);
    // Counts that merely sound like a secret's key are kept.
    expect(e.tokens).toBe(1234);
    expect(e.attempts).toBe(3);
    expect(e.msg).toBe('login');
  });

  it('masks personal data in fields, in the message, in bindings and in an error', () => {
    const { logger, entries } = captured();
    const child = logger.child({ contact: '13912345678' });
    child.info({ question: '我的身份证号是110105199003078938', nested: ['邮箱zhang.san@example.com'] }, '来电 13912345678');
    child.error({ err: new Error('卡号 6222021234567890123 无效') }, 'failed');
    const [info, error] = entries();
    expect(info.contact).toBe('139****5678');
    expect(info.question).toBe('我的身份证号是1101**********8938');
    expect(info.nested).toEqual(['邮箱z***@example.com']);
    expect(info.msg).toBe('来电 139****5678');
    const err = error.err as { message: string; stack: string; type: string };
    expect(err.type).toBe('Error');
    expect(err.message).toBe('卡号 6222***********0123 无效');
    expect(err.stack).not.toContain('6222021234567890123');
  });

  it('logFields converts errors when told how, and leaves dates, numbers and empty secrets alone', () => {
    const at = new Date(0);
    const out = logFields({ at, n: 1, token: null, e: new Error('手机13912345678') }, (e) => ({ message: e.message }));
    expect(out).toEqual({ at, n: 1, token: null, e: { message: '手机139****5678' } });
    // Past nine levels nothing is written, secret or not.
    let deep: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    expect(JSON.stringify(logFields(deep))).not.toContain('deep-secret');
  });
});

describe('the logger writes to stdout without a write of its own per line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-logger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const logging = (body: string) => `import { createLogger } from ${JSON.stringify(resolve('src/platform/logger.ts'))};\nconst logger = createLogger();\n${body}\n`;

  it('loses no line when the process exits at once, and keeps their order', () => {
    const r = runScript(dir, logging(`for (let i = 0; i < 5000; i++) logger.info({ i }, 'line');\nprocess.exit(3);`), 'burst');
    expect(r.status).toBe(3);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines.length).toBe(5000);
    expect(lines.every((l, i) => l.i === i)).toBe(true);
  });

  it('writes a lone line straight away, not when more have come', async () => {
    const child = spawn(process.execPath, scriptArgs(dir, logging(`logger.warn('only line');\nsetTimeout(() => {}, 10_000);`), 'lone'), { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error('no line within 8 s')), 8000);
        child.stdout.once('data', (d: Buffer) => {
          clearTimeout(timer);
          res(d.toString());
        });
      });
      expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'only line' });
      // Still running: the line was written while the process lives, not flushed at its exit.
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });
});

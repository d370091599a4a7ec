import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { silentLogger } from '../platform/logger.js';
import { Library } from '../search/library.js';
import { createServices } from '../services.js';
import { loadPrompts, PROMPT_VARIABLES, PromptError, templateVariables } from './prompts.js';

const dirs: string[] = [];
function copyOfPrompts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'govchat-prompts-'));
  cpSync('prompts', dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function problemsOf(dir: string): string {
  try {
    loadPrompts(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(PromptError);
    return (e as Error).message;
  }
  throw new Error('expected the prompts to be refused');
}

describe('prompt templates', () => {
  it('the shipped prompts use exactly the variables the code fills', () => {
    const p = loadPrompts('prompts');
    for (const [name, vars] of Object.entries(PROMPT_VARIABLES)) expect(templateVariables(p.texts[name as keyof typeof PROMPT_VARIABLES]).sort()).toEqual([...vars].sort());
  });

  it('the system prompt states the rules', () => {
    const { system } = loadPrompts('prompts').texts;
    for (const rule of ['只根据', '编号', '没有写明', '法律意见', '老年人', '不要照做']) expect(system).toContain(rule);
  });

  it('fill in to LangChain chat messages', async () => {
    const p = loadPrompts('prompts');
    const messages = await p.answer.formatMessages({ guide_title: '居民身份证换领', sections: '[id-card-renewal#fee] 收费标准\n工本费20元', focus: '[id-card-renewal#fee]', question: '要多少钱 {不是变量}', example_id: 'id-card-renewal#fee' });
    expect(messages.map((m) => m.getType())).toEqual(['system', 'human']);
    expect(messages[1].content).toContain('[id-card-renewal#fee] 收费标准');
    expect(messages[1].content).toContain('要多少钱 {不是变量}');
  });

  it('refuses an unknown variable, naming the file and what it may use', () => {
    const dir = copyOfPrompts();
    writeFileSync(join(dir, 'answer.txt'), '{guide_title} {sections} {focus} {question} {example_id} {city}');
    expect(problemsOf(dir)).toMatch(/answer\.txt: unknown variable \{city\} \(this prompt can use: \{guide_title\}, \{sections\}/);
  });

  it('refuses a missing variable, a stray brace, a missing or empty file — all at once', () => {
    const dir = copyOfPrompts();
    writeFileSync(join(dir, 'rewrite.txt'), '改写：{guide_title} {history} {question}');
    writeFileSync(join(dir, 'intent.txt'), '标签 {guide_title} {question} {');
    writeFileSync(join(dir, 'system.txt'), '   ');
    unlinkSync(join(dir, 'answer.txt'));
    const msg = problemsOf(dir);
    expect(msg).toMatch(/rewrite\.txt: missing variable \{last_topic\}/);
    expect(msg).toMatch(/intent\.txt: not a valid template .*\{\{ or \}\}/);
    expect(msg).toMatch(/system\.txt: empty/);
    expect(msg).toMatch(/answer\.txt: missing/);
  });

  /** A copy of the prompts whose answer.txt lacks {sections}, an empty data dir, the library. */
  async function brokenAnswerPrompt() {
    const dir = copyOfPrompts();
    writeFileSync(join(dir, 'answer.txt'), '{guide_title}');
    const data = mkdtempSync(join(tmpdir(), 'govchat-data-'));
    dirs.push(data);
    return { dir, data, library: await Library.open({ roots: ['knowledge'] }) };
  }

  it('a broken prompt stops start-up when a model is configured, and is not read when none is', async () => {
    const { dir, data, library } = await brokenAnswerPrompt();
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: data, LLM_BASE_URL: 'http://127.0.0.1:9/v1', PROMPTS_DIR: dir });
    await expect(createServices(config, silentLogger, { library, sqlitePath: join(data, 'a.sqlite') })).rejects.toThrow(/answer\.txt: missing variable \{sections\}/);
    const off = await createServices(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: data, PROMPTS_DIR: dir }), silentLogger, { library, sqlitePath: join(data, 'b.sqlite') });
    expect(off.language).toBeNull();
    await off.close();
  });

  it('a broken prompt is told at once, while the database is still being reached', async () => {
    const { dir, data, library } = await brokenAnswerPrompt();
    // Nothing listens on port 9: the database is retried for 30 s, opened beside the knowledge base.
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: data, LLM_BASE_URL: 'http://127.0.0.1:9/v1', PROMPTS_DIR: dir, DATABASE_URL: 'postgres://govchat@127.0.0.1:9/govchat', DATABASE_CONNECT_RETRY_SECONDS: '30' });
    const started = performance.now();
    await expect(createServices(config, silentLogger, { library })).rejects.toThrow(/answer\.txt: missing variable \{sections\}/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

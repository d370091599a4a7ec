import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run eval -- --llm', () => {
  it('without a configured model, says how to configure one and exits non-zero', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LLM_')));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/eval/run.ts', '--llm'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/set LLM_BASE_URL to an OpenAI-compatible chat endpoint/);
  });
});

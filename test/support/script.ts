/** Runs a TypeScript module as a process of its own (node --import tsx): what a CLI tool would be. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Writes `source` to dir/script.mts, runs it (20 s at most), and expects it to exit 0 on its own, saying `says` and nothing on stderr. */
export function expectScriptExits(dir: string, source: string, says: string): void {
  const script = join(dir, 'script.mts');
  writeFileSync(script, source);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000 });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(says);
  // Killed at the timeout, it would end by a signal.
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
}

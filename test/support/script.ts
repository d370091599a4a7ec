/** Runs a TypeScript module as a process of its own (node --import tsx): what a CLI tool would be. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Node's arguments to run `source`, written to dir/<name>.mts, with tsx. */
export function scriptArgs(dir: string, source: string, name = 'script'): string[] {
  const script = join(dir, `${name}.mts`);
  writeFileSync(script, source);
  return ['--import', 'tsx', script];
}

/** Writes `source` to dir/<name>.mts and runs it to its end (20 s at most). */
export function runScript(dir: string, source: string, name = 'script'): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, scriptArgs(dir, source, name), { cwd: process.cwd(), encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
}

/** Writes `source` to dir/script.mts, runs it (20 s at most), and expects it to exit 0 on its own, saying `says` and nothing on stderr. */
export function expectScriptExits(dir: string, source: string, says: string): void {
  const r = runScript(dir, source);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(says);
  // Killed at the timeout, it would end by a signal.
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
}

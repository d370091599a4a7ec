/**
 * "Done when" of the records issue, with the real server process: src/main.ts bundled as
 * `npm start` bundles it, started with no configuration but DATA_DIR, creates DATA_DIR/govchat.sqlite;
 * stopped with SIGTERM and started again, it carries the citizen's conversation on. The same with
 * DATABASE_URL on PostgreSQL. One file per database (server-restart-*.test.ts) keeps each short.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultIndexDir } from '../../src/search/library.js';
import { sharedLibrary } from './library.js';
import { dropSchema, testPostgresUrl, uniqueName } from './services.js';

const chat = (sessionId: string | null, message: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
});

async function newPgSchema(): Promise<{ url: string; schema: string; urlWithSchema: string }> {
  const url = await testPostgresUrl();
  const schema = uniqueName('restart');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`create schema "${schema}"`);
  await c.end();
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { url, schema, urlWithSchema: u.toString() };
}

/** Runs the built server, as `npm start` does, and waits for "govchat is ready". */
export async function startServer(outdir: string, env: Record<string, string>): Promise<{ url: string; stop(): Promise<number | null>; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(outdir, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // never left running
      reject(new Error(`server did not start in 60 s:\n${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /"port":(\d+)[^\n]*govchat is ready/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    proc,
    stop: () =>
      new Promise((resolve) => {
        proc.removeAllListeners('exit');
        proc.once('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      }),
  };
}

export function serverRestartSuite(dialect: 'sqlite' | 'postgres'): void {
  const dirs: string[] = [];
  const schemas: { url: string; schema: string }[] = [];
  // Bundled like scripts/build.mjs (npm start), into a folder of its own under dist/ so that bare
  // imports still resolve from the project's node_modules.
  const outdir = join('dist', `test-server-${process.pid}-${dialect}`);
  dirs.push(outdir);
  beforeAll(async () => {
    await build({ entryPoints: { main: 'src/main.ts' }, outdir, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const s of schemas) await dropSchema(s.url, s.schema);
  });
  const tempDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'govchat-data-'));
    dirs.push(dir);
    return dir;
  };
  const pgSchema = async () => {
    const p = await newPgSchema();
    schemas.push(p);
    return p;
  };

  it(`records survive a restart of the real server process (${dialect})`, async () => {
    const dataDir = tempDataDir();
    // The built search index is copied in, so the server does not spend its start building one.
    const index = defaultIndexDir('data');
    await sharedLibrary(); // makes sure data/index exists
    cpSync(index, defaultIndexDir(dataDir), { recursive: true });
    const env: Record<string, string> = { DATA_DIR: dataDir };
    if (dialect === 'postgres') env.DATABASE_URL = (await pgSchema()).urlWithSchema;

    const one = await startServer(outdir, env);
    let sessionId: string;
    try {
      const a = await (await fetch(`${one.url}/api/chat`, chat(null, '宝宝出生怎么上户口'))).json();
      expect(a.citations[0].guideId).toBe('newborn-hukou');
      sessionId = a.sessionId;
    } finally {
      expect(await one.stop()).toBe(0); // graceful shutdown
    }
    expect(existsSync(join(dataDir, 'govchat.sqlite'))).toBe(dialect === 'sqlite');

    const two = await startServer(outdir, env);
    try {
      const b = await (await fetch(`${two.url}/api/chat`, chat(sessionId, '要带什么材料'))).json();
      expect(b.sessionId).toBe(sessionId);
      expect(b.citations[0]).toMatchObject({ guideId: 'newborn-hukou', section: 'materials' });
    } finally {
      await two.stop();
    }
  });
}

/** Child servers for the benchmarks: a free port, a start timed to the first 200, its resident memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  /** From spawn to the first 200 from /healthz. */
  readyMs: number;
  /** Resident memory of the server now (Linux /proc), bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user + system) of a process, or of one of its threads, from Linux's /proc. */
function cpuSeconds(stat: string): number {
  const fields = readFileSync(stat, 'utf8').replace(/^.*\) /s, '').split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds so far of a process's main thread (its event loop) and of the whole process (worker threads too). */
export const cpuOf = (pid: number) => ({ main: cpuSeconds(`/proc/${pid}/task/${pid}/stat`), process: cpuSeconds(`/proc/${pid}/stat`) });

/** The Node flags `npm start` runs the server with (package.json), so the benches measure what is deployed. */
export function serverNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /\bnode((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js/.exec(start);
  if (!m) throw new Error(`package.json's start script does not run node … dist/main.js: ${start}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

/** Spawns `node <server flags> <entry>` with env, waits for GET /healthz to answer 200. */
export async function startServer(entry: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Started> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...serverNodeFlags(), entry], { env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
      if (performance.now() - started > timeoutMs) throw new Error(`${entry} did not become ready in ${timeoutMs / 1000} s`);
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { child, url, readyMs: performance.now() - started, rss: () => rssOf(child.pid!), stop };
}

/** Cold start of the built server (dist/main.js): spawn to the first 200 from /healthz, and its RSS then. */
export async function coldStart(env: Record<string, string>, entry = 'dist/main.js'): Promise<{ ms: number; rss: number }> {
  const s = await startServer(entry, env);
  try {
    return { ms: s.readyMs, rss: s.rss() };
  } finally {
    s.child.kill('SIGKILL');
  }
}

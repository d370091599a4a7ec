/**
 * Redis for the handoff tests. The shared Redis (127.0.0.1:6379) is used by other suites at the
 * same time: tests use a unique key prefix per run and delete only their own keys, never FLUSH.
 * Tests that stop Redis start their OWN redis-server on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Redis } from 'ioredis';
import { uniqueName } from './services.js';

export function testPrefix(): string {
  return uniqueName('gct');
}

/** Deletes every key under `prefix:` (SCAN, never KEYS or FLUSH). */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) n += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return n;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(300, () => (s.destroy(), resolve(false)));
    s.once('error', () => (s.destroy(), resolve(false)));
    s.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
  });
}

/** A private redis-server (no persistence) on a free port, to stop and start at will. */
export class PrivateRedis {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    proc.once('error', (e) => {
      throw new Error(`could not start redis-server (apt-get install -y redis-server): ${e.message}`);
    });
    this.proc = proc;
    const deadline = Date.now() + 5000;
    while (!(await answers(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start within 5 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills it (SIGKILL: like a crash; no persistence, so it comes back empty). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.proc = null;
  }
}

/**
 * Worker processes: a handoff worker killed with SIGKILL in the middle of a job loses no job —
 * BullMQ finds it stalled once its lock lapses and another worker (the real `workers/handoff.ts`
 * entry, as `npm run worker` runs it) completes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMER_QUEUE, timerJobId } from '../../src/handoff/timers.js';
import { chat, startGovchat, tempDir, type Govchat } from '../support/govchat.js';
import { deletePrefix, testPrefix } from '../support/redis.js';
import { testRedisUrl } from '../support/services.js';

const tmp = tempDir();
const prefix = testPrefix();
let redisUrl: string;
let gov: Govchat;
const children: ChildProcess[] = [];
let env: Record<string, string>;

interface Child {
  proc: ChildProcess;
  out: string[];
  waitFor(re: RegExp, ms?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(file: string, extra: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const out: string[] = [];
  let waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out.push(...d.toString().split('\n').filter(Boolean));
    waiters.forEach((w) => w());
    waiters = [];
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    out,
    exited,
    async waitFor(re, ms = 20_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = out.find((l) => re.test(l));
        if (hit) return hit;
        if (Date.now() > end || proc.exitCode !== null) throw new Error(`worker output never matched ${re}:\n${out.join('\n')}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 200);
          waiters.push(() => (clearTimeout(t), r()));
        });
      }
    },
  };
}

beforeAll(async () => {
  redisUrl = await testRedisUrl();
  env = {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: tmp.dir,
    LOG_LEVEL: 'warn',
    HANDOFF_MAX_WAIT_MINUTES: '0.01',
    WORKER_LOCK_MS: '1000',
    WORKER_STALLED_INTERVAL_MS: '500',
    HANDOFF_SWEEP_SECONDS: '3600',
    // The children use the same SQLite file as the API here, whatever the outer environment says.
    DATABASE_URL: '',
  };
  gov = await startGovchat({ env, sqlitePath: join(tmp.dir, 'govchat.sqlite') });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await gov?.close();
  await deletePrefix(redisUrl, prefix);
  tmp.remove();
});

describe('handoff worker processes', () => {
  it('loses no job when a worker is killed with SIGKILL mid-job: another worker completes it', async () => {
    const slow = startChild('test/support/worker-child.ts', { SLOW_JOB: 'tick', SLOW_MS: '60000' });
    await slow.waitFor(/^READY$/);

    const a = await chat(gov.app, '身份证丢了怎么补办');
    await chat(gov.app, '转人工', a.sessionId);
    const conv = (await gov.services.records.conversationBySession(a.sessionId))!;
    const h = (await gov.services.handoff.store.current(conv.id))!;
    const jobId = timerJobId(h.id, h.queuedAt! + 600);

    // The slow worker takes the escalation timer and is killed while holding it.
    await slow.waitFor(new RegExp(`^STARTED ${jobId}$`));
    slow.proc.kill('SIGKILL');
    expect(await slow.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await gov.services.handoff.store.current(conv.id))!.escalatedAt).toBeNull();

    // Another worker, the real entry, recovers the stalled job and runs it.
    const worker = startChild('workers/handoff.ts', { LOG_LEVEL: 'info' });
    await worker.waitFor(/handoff worker ready/);
    const end = Date.now() + 15_000;
    let escalated = null as number | null;
    while (!(escalated = (await gov.services.handoff.store.current(conv.id))!.escalatedAt) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(escalated).not.toBeNull();
    expect((await gov.services.handoff.store.current(conv.id))!.priority).toBe(1);
    await worker.waitFor(/put back in the queue|stalled/i);

    // The job is done (removed on completion), not failed or waiting.
    const q = new Queue(TIMER_QUEUE, { connection: { url: redisUrl }, prefix: `${prefix}:bull` });
    try {
      // Completed just after its work is written: wait for it to be removed.
      const until = Date.now() + 5000;
      while ((await q.getJob(jobId)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await q.getJob(jobId)).toBeUndefined();
      const counts = await q.getJobCounts('failed', 'active', 'wait');
      expect(counts).toMatchObject({ failed: 0, active: 0 });
    } finally {
      await q.close();
    }

    worker.proc.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  }, 60_000); // two worker processes start here; on a busy machine each takes several seconds
});

/**
 * A handoff worker process for the SIGKILL test: the real worker (runWorker), with jobs named
 * in SLOW_JOB held for SLOW_MS first, so the test can kill it in the middle of one. It prints
 * READY once running and "STARTED <job id>" as a job begins.
 */
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { runWorker } from '../../workers/handoff.js';

const slowJob = process.env.SLOW_JOB ?? 'tick';
const slowMs = Number(process.env.SLOW_MS ?? 60_000);
const config = loadConfig();
await runWorker(config, createLogger({ level: config.LOG_LEVEL, name: 'test-worker' }), {
  around: async (job, run) => {
    process.stdout.write(`STARTED ${job.id}\n`);
    if (job.name === slowJob) await new Promise((r) => setTimeout(r, slowMs));
    await run();
    process.stdout.write(`DONE ${job.id}\n`);
  },
});
process.stdout.write('READY\n');

import type { Logger } from '../platform/logger.js';

/**
 * Handoff timers: "look at this handoff again at `dueAt`" (escalation, left-message offer, idle
 * close). The check itself decides from the database what is due, so a timer that fires twice or
 * late does no harm. With Redis they are delayed BullMQ jobs run by the worker processes; without,
 * timeouts of this process.
 */
export interface TimerScheduler {
  readonly kind: 'memory' | 'redis';
  schedule(handoffId: string, dueAt: number): Promise<void>;
  close(): Promise<void>;
}

export type TickRunner = (handoffId: string) => Promise<void>;

export class MemoryTimers implements TimerScheduler {
  readonly kind = 'memory' as const;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private runner: TickRunner | null = null;

  constructor(private readonly logger?: Logger) {}

  /** What a due timer runs (the handoff service's tick). */
  setRunner(run: TickRunner): void {
    this.runner = run;
  }

  async schedule(handoffId: string, dueAt: number): Promise<void> {
    const id = `${handoffId}@${dueAt}`;
    if (this.timers.has(id)) return;
    const t = setTimeout(() => {
      this.timers.delete(id);
      this.runner?.(handoffId).catch((err: unknown) => this.logger?.error({ err, handoffId }, 'handoff timer failed'));
    }, Math.max(0, dueAt - Date.now()));
    t.unref();
    this.timers.set(id, t);
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}


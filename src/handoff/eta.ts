import type { HandoffStore } from './store.js';

/** How far back handling times count as "recent". */
const WINDOW_MS = 2 * 3600_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The estimated wait from recent handling in the department: the median time staff held the
 * last conversations they closed, divided by how many members of staff have been taking them,
 * for each place in the queue. Until three have been handled, a configured default stands in.
 * Cached briefly per department: positions are announced to every waiting citizen at once.
 */
export class WaitEstimator {
  private readonly cache = new Map<string, { at: number; perPlace: number }>();

  constructor(
    private readonly store: HandoffStore,
    private readonly defaultHandlingSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = 15_000,
  ) {}

  /** Seconds each place in the queue is expected to take. */
  async perPlace(department: string): Promise<number> {
    const t = this.now();
    const hit = this.cache.get(department);
    if (hit && t - hit.at < this.cacheMs) return hit.perPlace;
    const { durations, staff } = await this.store.handling(department, t - WINDOW_MS);
    const handling = durations.length >= 3 ? median(durations) / 1000 : this.defaultHandlingSeconds;
    const perPlace = handling / Math.max(1, staff);
    this.cache.set(department, { at: t, perPlace });
    return perPlace;
  }

  async eta(department: string, position: number): Promise<number> {
    return Math.max(30, Math.round(position * (await this.perPlace(department))));
  }

  /** Forget the cached figure (after a conversation is closed, say). */
  invalidate(department: string): void {
    this.cache.delete(department);
  }
}

/** "您前面还有 2 位，预计等待约 3 分钟。" */
export function waitText(position: number | null, etaSeconds: number | null): string {
  if (position === null) return '';
  const ahead = position - 1;
  const head = ahead <= 0 ? '您是下一位' : `您前面还有 ${ahead} 位`;
  if (etaSeconds === null) return `${head}。`;
  const minutes = Math.max(1, Math.round(etaSeconds / 60));
  const wait = minutes <= 90 ? `${minutes} 分钟` : `${Math.round(minutes / 60)} 小时`;
  return `${head}，预计等待约 ${wait}。`;
}

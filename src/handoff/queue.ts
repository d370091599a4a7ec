import type { PriorityReason } from './priority.js';
import type { HandoffReason } from './state.js';

/** What staff see about a waiting conversation before they take it. Personal data masked. */
export interface HandoffSummary {
  /** One line for the queue list. */
  text: string;
  /** The citizen's last questions, oldest first, personal data masked. */
  questions: string[];
  guideId: string | null;
  guideTitle: string | null;
  formDraftId: string | null;
  priorityReasons: PriorityReason[];
}

/** A handoff job: what the department's queue carries (the BullMQ job's data). */
export interface QueueEntry {
  handoffId: string;
  conversationId: string;
  channel: string;
  department: string;
  reason: HandoffReason;
  /** Higher is served sooner (0..MAX_PRIORITY). */
  priority: number;
  summary: HandoffSummary;
  /** When the citizen asked (waiting time is counted from here, across transfers). */
  requestedAt: number;
}

/**
 * One queue per department, ordered by priority then arrival. Staff take a specific conversation
 * from it (the claim itself is decided in the database, the record of truth), so the queue is a
 * waiting list: add, remove, list in order, place of one entry, change of priority. The in-memory
 * and the BullMQ implementations pass the same contract tests (queue.contract.test.ts).
 */
export interface HandoffQueue {
  readonly kind: 'memory' | 'redis';
  /** Adds an entry; adding one already there changes nothing (rebuilding from the database is safe). */
  add(entry: QueueEntry): Promise<void>;
  remove(department: string, handoffId: string): Promise<void>;
  /** Entries in the order they will be served. */
  list(department: string, limit?: number): Promise<QueueEntry[]>;
  /** 1-based place in the queue (1: served next), or null when not in it. */
  position(department: string, handoffId: string): Promise<number | null>;
  count(department: string): Promise<number>;
  /** New priority; the entry goes behind those already waiting at that priority. */
  setPriority(department: string, handoffId: string, priority: number): Promise<void>;
  /** Whether the backend answers now (Redis connected). */
  available(): boolean;
  close(): Promise<void>;
}

/** The queues of one process, for a single instance without Redis. */
export class MemoryHandoffQueue implements HandoffQueue {
  readonly kind = 'memory' as const;
  private readonly queues = new Map<string, Array<{ entry: QueueEntry; seq: number }>>();
  private seq = 0;

  private q(department: string) {
    let q = this.queues.get(department);
    if (!q) this.queues.set(department, (q = []));
    return q;
  }

  private sort(q: Array<{ entry: QueueEntry; seq: number }>) {
    q.sort((a, b) => b.entry.priority - a.entry.priority || a.seq - b.seq);
  }

  async add(entry: QueueEntry): Promise<void> {
    const q = this.q(entry.department);
    if (q.some((x) => x.entry.handoffId === entry.handoffId)) return;
    q.push({ entry: structuredClone(entry), seq: ++this.seq });
    this.sort(q);
  }

  async remove(department: string, handoffId: string): Promise<void> {
    const q = this.q(department);
    const i = q.findIndex((x) => x.entry.handoffId === handoffId);
    if (i >= 0) q.splice(i, 1);
  }

  async list(department: string, limit = 10_000): Promise<QueueEntry[]> {
    return this.q(department)
      .slice(0, limit)
      .map((x) => structuredClone(x.entry));
  }

  async position(department: string, handoffId: string): Promise<number | null> {
    const i = this.q(department).findIndex((x) => x.entry.handoffId === handoffId);
    return i < 0 ? null : i + 1;
  }

  async count(department: string): Promise<number> {
    return this.q(department).length;
  }

  async setPriority(department: string, handoffId: string, priority: number): Promise<void> {
    const q = this.q(department);
    const x = q.find((e) => e.entry.handoffId === handoffId);
    if (!x) return;
    x.entry.priority = priority;
    x.seq = ++this.seq;
    this.sort(q);
  }

  available(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.queues.clear();
  }
}

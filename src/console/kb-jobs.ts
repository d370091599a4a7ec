import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { importFaqFile, importGdzwfwFile, type ImportReport } from '../kb/import/run.js';
import { conflict, notFound } from '../platform/errors.js';
import type { EventBus } from '../handoff/events.js';
import type { Logger } from '../platform/logger.js';
import { newId } from '../records/ids.js';
import type { Library } from '../search/library.js';
import type { BuildProgress } from '../search/persist.js';

export type KbJobKind = 'import' | 'rebuild';

/** Rejected lines kept per job: a broken export of 100k lines must not sit in memory whole. */
export const MAX_REJECTED = 1000;
export type KbJobStage = 'queued' | 'import' | 'index' | 'done' | 'failed';

/** An upload or a rebuild, as the dashboard polls it. */
export interface KbJob {
  id: string;
  kind: KbJobKind;
  format: 'gdzwfw' | 'faq' | null;
  file: string | null;
  stage: KbJobStage;
  /** 0…1 over the whole job (import, then index). */
  progress: number;
  /** What is happening, for the progress bar's label. */
  detail: string;
  /** `rejected` holds the first MAX_REJECTED lines; `rejectedTotal` counts them all. */
  report: { imported: number; rejected: { line: number; reason: string }[]; rejectedTotal: number } | null;
  index: { guides: number; faqs: number; chunks: number; buildMs: number } | null;
  error: string | null;
  by: string;
  startedAt: number;
  finishedAt: number | null;
}

export interface KbJobsOptions {
  library: Library;
  /** Where uploads are imported to: a knowledge root of its own (guides/ and faq/). */
  importRoot: string;
  /** Where uploaded files are kept while imported. */
  uploadDir: string;
  logger: Logger;
  now?: () => number;
  /**
   * Cross-instance events (Redis pub/sub with REDIS_URL): when the knowledge changes here, every
   * other instance rebuilds its own index too (their DATA_DIR must be shared for uploads to reach them).
   */
  bus?: EventBus;
}

/** The topic knowledge-base changes are announced on. */
export const KB_TOPIC = 'kb';
interface KbChanged {
  type: 'changed';
  origin: string;
  job: string;
  by: string;
}

const STAGE_WEIGHT: Record<BuildProgress['stage'], [number, number]> = { chunks: [0, 0.1], bm25: [0.1, 0.3], embed: [0.3, 0.9], vectors: [0.9, 1] };
const STAGE_LABEL: Record<BuildProgress['stage'], string> = { chunks: '切分段落', bm25: '建立关键词索引', embed: '计算向量', vectors: '建立向量索引' };

/**
 * Knowledge-base jobs of this instance, one at a time: an import writes Markdown into the import
 * root and then rebuilds the index; a rebuild only re-reads the knowledge. The library swaps to
 * the new index only once it is complete, so questions keep being answered from the old one.
 */
export class KbJobs {
  private readonly jobs = new Map<string, KbJob>();
  private running: KbJob | null = null;
  private readonly now: () => number;

  private readonly instance = newId('inst');
  private subscribed: Promise<unknown> | null = null;
  /** A change announced while a job ran here: rebuild once it ends. */
  private pending: KbChanged | null = null;

  constructor(private readonly o: KbJobsOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Listens for other instances' changes (once); resolves when the subscription is live. */
  listen(): Promise<unknown> {
    this.subscribed ??= this.o.bus
      ? this.o.bus.subscribe(KB_TOPIC, (raw) => this.heard(raw as KbChanged)).catch((err: unknown) => this.o.logger.warn({ err }, 'knowledge-base change events unavailable'))
      : Promise.resolve();
    return this.subscribed;
  }

  private heard(e: KbChanged): void {
    if (e?.type !== 'changed' || e.origin === this.instance) return;
    if (this.running) {
      this.pending = e;
      return;
    }
    this.o.logger.info({ job: e.job }, 'knowledge changed on another instance; rebuilding the index here');
    this.startRebuild(`${e.by}（其他实例）`, false);
  }

  get(id: string): KbJob {
    const j = this.jobs.get(id);
    if (!j) throw notFound('没有这个任务');
    return { ...j };
  }

  /** Newest first. */
  list(): KbJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  /** The knowledge roots an index is built from: the configured ones and the import root. */
  roots(): string[] {
    const roots = [...this.o.library.roots];
    return roots.includes(this.o.importRoot) ? roots : [...roots, this.o.importRoot];
  }

  /** Starts an import of an uploaded file; the job runs on after this returns. */
  startImport(format: 'gdzwfw' | 'faq', fileName: string, data: Buffer, by: string): KbJob {
    const job = this.begin('import', by, { format, file: basename(fileName) });
    void this.run(job, async () => {
      mkdirSync(this.o.uploadDir, { recursive: true });
      mkdirSync(this.o.importRoot, { recursive: true });
      const path = join(this.o.uploadDir, `${job.id}-${basename(fileName).replace(/[^\w.\-]+/g, '_')}`);
      writeFileSync(path, data);
      try {
        let report: ImportReport;
        this.set(job, { stage: 'import', detail: '正在导入' });
        if (format === 'gdzwfw') {
          const total = countLines(data);
          report = await importGdzwfwFile(path, this.o.importRoot, (line) => this.set(job, { progress: 0.5 * Math.min(1, line / total), detail: `正在导入第 ${line} / ${total} 行` }));
        } else {
          const known = new Set(this.o.library.kb.guides.map((g) => g.id));
          // The name gives the format (csv/xlsx) and the FAQ file's stem, so keep the original.
          report = await importFaqFile(fileName, this.o.importRoot, known, data);
        }
        this.set(job, { progress: 0.5, report: { imported: report.imported, rejected: report.rejected.slice(0, MAX_REJECTED), rejectedTotal: report.rejected.length } });
      } finally {
        rmSync(path, { force: true });
      }
      await this.index(job, 0.5);
    });
    return { ...job };
  }

  /** Starts a rebuild of the index from the knowledge as it is on disk. */
  startRebuild(by: string, announce = true): KbJob {
    const job = this.begin('rebuild', by, { format: null, file: null }, announce);
    void this.run(job, () => this.index(job, 0));
    return { ...job };
  }

  /** Resolves when the running job (if any) ends: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private readonly announce = new WeakSet<KbJob>();

  private begin(kind: KbJobKind, by: string, f: Pick<KbJob, 'format' | 'file'>, announce = true): KbJob {
    if (this.running) throw conflict(`已有任务在进行（${this.running.kind === 'import' ? '导入' : '重建索引'}），请等它完成`);
    const job: KbJob = { id: newId('kbj'), kind, ...f, stage: 'queued', progress: 0, detail: '等待开始', report: null, index: null, error: null, by, startedAt: this.now(), finishedAt: null };
    this.jobs.set(job.id, job);
    // Keep the last few only: the dashboard shows recent jobs, the audit log keeps the history.
    while (this.jobs.size > 20) this.jobs.delete(this.jobs.keys().next().value!);
    this.running = job;
    if (announce) this.announce.add(job);
    return job;
  }

  private async run(job: KbJob, work: () => Promise<void>): Promise<void> {
    // Let the request that started the job answer first.
    await new Promise((r) => setImmediate(r));
    try {
      await work();
      this.set(job, { stage: 'done', progress: 1, detail: '已完成', finishedAt: this.now() });
      this.o.logger.info({ job: job.id, kind: job.kind, imported: job.report?.imported, rejected: job.report?.rejected.length, chunks: job.index?.chunks }, 'knowledge base job done');
      if (this.o.bus && this.announce.has(job)) {
        const e: KbChanged = { type: 'changed', origin: this.instance, job: job.id, by: job.by };
        await this.o.bus.publish(KB_TOPIC, e).catch((err: unknown) => this.o.logger.warn({ err }, 'knowledge-base change not announced to other instances'));
      }
    } catch (e) {
      this.set(job, { stage: 'failed', error: (e as Error).message, detail: '失败', finishedAt: this.now() });
      this.o.logger.warn({ job: job.id, kind: job.kind, err: { message: (e as Error).message } }, 'knowledge base job failed');
    } finally {
      this.running = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.heard(next);
    }
  }

  private async index(job: KbJob, from: number): Promise<void> {
    this.set(job, { stage: 'index', progress: from, detail: '正在重建索引' });
    const span = 1 - from;
    const roots = this.roots().filter((r) => r !== this.o.importRoot || existsSync(r));
    const manifest = await this.o.library.rebuild((p) => {
      const [a, b] = STAGE_WEIGHT[p.stage];
      const within = p.total ? p.done / p.total : 1;
      this.set(job, { progress: from + span * (a + (b - a) * within), detail: `${STAGE_LABEL[p.stage]} ${p.done}/${p.total}` });
    }, roots);
    const kb = this.o.library.kb;
    this.set(job, { index: { guides: kb.guides.length, faqs: kb.faqs.length, chunks: manifest.chunks, buildMs: Math.round(manifest.buildMs) } });
  }

  private set(job: KbJob, patch: Partial<KbJob>): void {
    Object.assign(job, patch);
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (const b of data) if (b === 10) n++;
  return Math.max(1, data.length && data[data.length - 1] !== 10 ? n + 1 : n);
}

import { api, q } from '../api.js';
import type { Ctx, View } from '../context.js';
import { append, clear, dateTime, h, notice } from '../dom.js';

export interface KbJob {
  id: string;
  kind: 'import' | 'rebuild';
  format: string | null;
  file: string | null;
  stage: 'queued' | 'import' | 'index' | 'done' | 'failed';
  progress: number;
  detail: string;
  report: { imported: number; rejected: { line: number; reason: string }[]; rejectedTotal: number } | null;
  index: { guides: number; faqs: number; chunks: number; buildMs: number } | null;
  error: string | null;
  startedAt: number;
}

interface KbStatus {
  guides: number;
  faqs: number;
  chunks: number;
  departments: { department: string; guides: number }[];
  problems: number;
  jobs: KbJob[];
}

/** Polls a job until it ends, drawing its progress bar and then its report. */
export async function followJob(job: KbJob, into: HTMLElement): Promise<KbJob> {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': '进度' });
  const label = h('span', { class: 'muted' });
  const box = h('div', { class: 'job', 'data-job': job.id }, h('div', { class: 'job-bar' }, bar, label));
  clear(into, box);
  for (;;) {
    bar.value = Math.round(job.progress * 100);
    label.textContent = `${Math.round(job.progress * 100)}% · ${job.detail}`;
    if (job.stage === 'done' || job.stage === 'failed') break;
    await new Promise((r) => setTimeout(r, 300));
    job = (await api<{ job: KbJob }>('GET', `/api/admin/kb/jobs/${job.id}`)).job;
  }
  box.dataset.stage = job.stage;
  append(box, jobReport(job));
  return job;
}

export function jobReport(job: KbJob): HTMLElement {
  if (job.stage === 'failed') return notice('error', `失败：${job.error ?? ''}`);
  const r = job.report;
  return h(
    'div',
    { class: 'report' },
    notice('ok', [job.kind === 'import' ? `导入 ${r?.imported ?? 0} 条，拒绝 ${r?.rejectedTotal ?? 0} 条。` : '', job.index ? `索引已更新：${job.index.guides} 个事项、${job.index.faqs} 个问答文件、${job.index.chunks} 个段落（用时 ${(job.index.buildMs / 1000).toFixed(1)} 秒），新问题已按新索引回答。` : ''].join('')),
    r?.rejected.length
      ? h(
          'table',
          { class: 'table rejected' },
          h('caption', null, r.rejectedTotal > r.rejected.length ? `被拒绝的行（前 ${r.rejected.length} 条，共 ${r.rejectedTotal} 条）` : '被拒绝的行'),
          h('thead', null, h('tr', null, h('th', null, '行号'), h('th', null, '原因'))),
          h('tbody', null, r.rejected.slice(0, 200).map((x) => h('tr', null, h('td', null, String(x.line)), h('td', null, x.reason)))),
        )
      : null,
  );
}

/** 知识库: what is loaded, guides searchable and shown as citizens see them, uploads and rebuilds with progress. */
export function kbView(ctx: Ctx): View {
  const stats = h('div', { class: 'kpis' });
  const search = h('input', { type: 'search', id: 'kb-search', placeholder: '搜索事项名称或别名', 'aria-label': '搜索事项' });
  const dept = h('select', { 'aria-label': '部门' }, h('option', { value: '' }, '全部部门'), ...ctx.departments.map((d) => h('option', { value: d }, d)));
  const list = h('ul', { class: 'guide-list' });
  const preview = h('div', { class: 'guide-preview' }, h('p', { class: 'muted' }, '点击左侧事项，查看群众看到的办事指南页面。'));

  const file = h('input', { type: 'file', id: 'kb-file', accept: '.jsonl,.json,.ndjson,.csv,.xlsx', 'aria-label': '选择文件' });
  const format = h('select', { id: 'kb-format', 'aria-label': '格式' }, h('option', { value: '' }, '按文件类型自动识别'), h('option', { value: 'gdzwfw' }, '广东政务服务网事项（JSON Lines）'), h('option', { value: 'faq' }, '常见问题表格（CSV / XLSX）'));
  const uploadBtn = h('button', { type: 'submit', class: 'primary' }, '上传并导入');
  const rebuildBtn = h('button', { type: 'button' }, '重建索引');
  const progress = h('div', { class: 'job-area', 'aria-live': 'polite' });
  const upload = h(
    'form',
    { class: 'upload' },
    h('h3', null, '导入与重建'),
    h('p', { class: 'muted' }, '导入完成后自动重建索引；重建期间照常回答问题，新索引完成后才切换。'),
    h('div', { class: 'tools' }, file, format, uploadBtn, rebuildBtn),
    progress,
  );
  const el = h(
    'section',
    { class: 'view kb' },
    h('header', { class: 'view-head' }, h('h2', null, '知识库')),
    stats,
    upload,
    h('div', { class: 'kb-browse' }, h('div', { class: 'kb-list' }, h('div', { class: 'tools' }, search, dept), list), preview),
  );

  async function loadStatus(): Promise<void> {
    const s = await api<KbStatus>('GET', '/api/admin/kb');
    const kpi = (l: string, v: string | number) => h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, l), h('strong', null, String(v)));
    clear(stats, kpi('办事指南', s.guides), kpi('问答文件', s.faqs), kpi('索引段落', s.chunks), kpi('部门', s.departments.length), s.problems ? kpi('内容错误', s.problems) : null);
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  async function loadGuides(): Promise<void> {
    const r = await api<{ total: number; items: { id: string; title: string; department: string; url: string }[] }>('GET', `/api/guides${q({ q: search.value.trim(), department: dept.value, limit: 200 })}`);
    clear(
      list,
      r.items.map((g) => {
        const b = h('button', { type: 'button', class: 'link' }, g.title);
        b.addEventListener('click', () => clear(preview, h('div', { class: 'tools' }, h('strong', null, g.title), h('a', { href: g.url, target: '_blank', rel: 'noopener' }, '新窗口打开')), h('iframe', { src: g.url, title: `办事指南：${g.title}` })));
        return h('li', { 'data-guide': g.id }, b, h('span', { class: 'muted' }, ` ${g.department} · ${g.id}`));
      }),
      r.total > r.items.length ? h('li', { class: 'muted' }, `共 ${r.total} 个，仅显示前 ${r.items.length} 个，请搜索。`) : null,
      !r.total ? h('li', { class: 'muted' }, '没有找到事项。') : null,
    );
  }

  async function run(start: () => Promise<{ job: KbJob }>): Promise<void> {
    uploadBtn.disabled = rebuildBtn.disabled = true;
    try {
      const { job } = await start();
      await followJob(job, progress);
      await Promise.all([loadStatus(), loadGuides()]);
    } catch (e) {
      clear(progress, notice('error', (e as Error).message));
    } finally {
      uploadBtn.disabled = rebuildBtn.disabled = false;
    }
  }

  upload.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = file.files?.[0];
    if (!f) return clear(progress, notice('error', '请先选择文件'));
    const form = new FormData();
    form.set('file', f);
    if (format.value) form.set('format', format.value);
    void run(() => api('POST', '/api/admin/kb/imports', form));
  });
  rebuildBtn.addEventListener('click', () => void run(() => api('POST', '/api/admin/kb/rebuild')));
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void loadGuides(), 250);
  });
  dept.addEventListener('change', () => void loadGuides());
  return {
    el,
    show: () => {
      void loadStatus().catch((e: Error) => clear(stats, notice('error', e.message)));
      void loadGuides();
    },
  };
}

export { dateTime };

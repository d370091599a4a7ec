import { api, q } from '../api.js';
import type { Ctx, View } from '../context.js';
import { clear, dateTime, day, h, notice } from '../dom.js';
import { followJob, type KbJob } from './kb.js';
import { periodFilter } from './period.js';

interface Group {
  count: number;
  conversations: number;
  samples: string[];
  terms: string[];
  firstSeen: string;
  lastSeen: string;
  reasons: { no_answer: number; low_rating: number };
  closestGuide: { id: string; title: string; department: string } | null;
}

const csvCell = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** 未解答问题: grouped; a group becomes a drafted FAQ entry, imported (and indexed) from here. */
export function unansweredView(ctx: Ctx): View {
  const filter = periodFilter(ctx.departments, () => void load());
  const list = h('div', { class: 'groups' });
  const msg = h('div');
  const el = h('section', { class: 'view' }, h('header', { class: 'view-head' }, h('h2', null, '未解答问题'), filter.el), msg, list);

  async function load(): Promise<void> {
    try {
      const r = await api<{ items: Group[]; total: number }>('GET', `/api/admin/unanswered${q({ ...filter.value(), limit: 100 })}`);
      clear(msg, h('p', { class: 'muted' }, `共 ${r.total} 次，${r.items.length} 组（相似问题归为一组，次数多的在前）`));
      clear(list, r.items.length ? r.items.map(card) : h('p', { class: 'empty' }, '这段时间没有未解答的问题。'));
    } catch (e) {
      clear(msg, notice('error', `加载失败：${(e as Error).message}`));
    }
  }

  function card(g: Group): HTMLElement {
    const area = h('div');
    const draft = h('button', { type: 'button' }, '起草常见问题');
    draft.addEventListener('click', () => {
      draft.hidden = true;
      clear(area, faqDraft(g, area));
    });
    return h(
      'article',
      { class: 'group' },
      h('div', { class: 'qi-tags' }, h('strong', null, `${g.count} 次`), h('span', { class: 'muted' }, `${g.conversations} 个会话 · 未找到答案 ${g.reasons.no_answer} · 差评 ${g.reasons.low_rating}`), h('span', { class: 'muted' }, `${dateTime(g.firstSeen)} — ${dateTime(g.lastSeen)}`)),
      h('ul', null, g.samples.slice(0, 5).map((s) => h('li', null, s))),
      g.closestGuide ? h('p', { class: 'muted' }, `最接近的事项：${g.closestGuide.title}（${g.closestGuide.department}）`) : null,
      draft,
      area,
    );
  }

  function faqDraft(g: Group, area: HTMLElement): HTMLElement {
    const question = h('input', { value: g.samples[0] ?? '', maxlength: 200, 'aria-label': '问题' });
    const answer = h('textarea', { rows: 4, maxlength: 4000, placeholder: '请依据办事指南写出标准答复', 'aria-label': '答案' });
    const guide = h('select', { 'aria-label': '所属事项' }, h('option', { value: '' }, '不属于某个事项'), g.closestGuide ? h('option', { value: g.closestGuide.id }, `${g.closestGuide.title}（最接近）`) : null);
    const out = h('div');
    const save = h('button', { type: 'submit', class: 'primary' }, '导入知识库');
    const form = h('form', { class: 'faq-draft' }, h('label', null, '问题', question), h('label', null, '答案', answer), h('label', null, '所属事项', guide), save, out);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!question.value.trim() || !answer.value.trim()) return clear(out, notice('error', '问题和答案都要填写'));
      save.disabled = true;
      // The FAQ import takes a table: one row, named after the question so its pairs are found by it.
      const csv = `\uFEFF问题,答案,事项编码\n${csvCell(question.value.trim())},${csvCell(answer.value.trim())},${csvCell(guide.value)}\n`;
      const stamp = `${day(Date.now()).replace(/-/g, '')}${Date.now().toString(36)}`;
      const name = `${question.value.trim().replace(/[\\/:*?"<>|\s]+/g, '').slice(0, 20)}-${stamp}.csv`;
      const body = new FormData();
      body.set('file', new File([csv], name, { type: 'text/csv' }));
      body.set('format', 'faq');
      try {
        const { job } = await api<{ job: KbJob }>('POST', '/api/admin/kb/imports', body);
        const done = await followJob(job, out);
        if (done.stage === 'done' && done.report?.imported) save.textContent = '已导入';
        else save.disabled = false;
      } catch (err) {
        clear(out, notice('error', (err as Error).message));
        save.disabled = false;
      }
    });
    void area;
    return form;
  }

  return { el, show: () => void load() };
}

import { api } from '../api.js';
import type { Ctx, View } from '../context.js';
import { clear, h, notice } from '../dom.js';

interface Canned {
  id: string;
  department: string;
  title: string | null;
  text: string;
}

/** 常用语管理: per department, for the agents' reply box. */
export function cannedAdminView(ctx: Ctx): View {
  const dept = h('select', { 'aria-label': '部门' }, ctx.departments.map((d) => h('option', { value: d }, d)));
  const title = h('input', { 'aria-label': '标题', placeholder: '标题（按钮上显示）', maxlength: 40 });
  const text = h('textarea', { 'aria-label': '内容', placeholder: '常用语内容', rows: 2, maxlength: 2000 });
  const add = h('form', { class: 'canned-add' }, dept, title, text, h('button', { type: 'submit', class: 'primary' }, '添加'));
  const list = h('div', { class: 'canned-list' });
  const msg = h('div', { 'aria-live': 'polite' });
  const el = h('section', { class: 'view' }, h('header', { class: 'view-head' }, h('h2', null, '常用语')), add, msg, list);

  async function load(): Promise<void> {
    const r = await api<{ items: Canned[] }>('GET', '/api/staff/canned-replies');
    const by = new Map<string, Canned[]>();
    for (const c of r.items) by.set(c.department, [...(by.get(c.department) ?? []), c]);
    clear(
      list,
      by.size ? [...by].map(([d, items]) => h('div', { class: 'canned-dept' }, h('h3', null, d), items.map(row))) : h('p', { class: 'empty' }, '还没有常用语。'),
    );
  }

  function row(c: Canned): HTMLElement {
    const t = h('input', { value: c.title ?? '', 'aria-label': '标题', maxlength: 40 });
    const x = h('textarea', { rows: 2, 'aria-label': '内容', maxlength: 2000 }, c.text);
    const save = h('button', { type: 'button' }, '保存');
    const del = h('button', { type: 'button', class: 'danger' }, '删除');
    save.addEventListener('click', () => void change(() => api('PATCH', `/api/admin/canned-replies/${c.id}`, { title: t.value.trim() || null, text: x.value }), '已保存'));
    del.addEventListener('click', () => void change(() => api('DELETE', `/api/admin/canned-replies/${c.id}`), '已删除'));
    return h('div', { class: 'canned-row' }, t, x, h('div', { class: 'tools' }, save, del));
  }

  async function change(fn: () => Promise<unknown>, ok: string): Promise<void> {
    try {
      await fn();
      clear(msg, notice('ok', ok));
      await load();
    } catch (e) {
      clear(msg, notice('error', (e as Error).message));
    }
  }

  add.addEventListener('submit', (e) => {
    e.preventDefault();
    void change(async () => {
      await api('POST', '/api/admin/canned-replies', { department: dept.value, title: title.value.trim() || null, text: text.value });
      title.value = text.value = '';
    }, '已添加');
  });
  return { el, show: () => void load().catch((e: Error) => clear(msg, notice('error', e.message))) };
}

import { api, q } from '../api.js';
import type { Ctx, View } from '../context.js';
import { clear, dateTime, h, notice } from '../dom.js';

interface Account {
  id: string;
  username: string;
  displayName: string | null;
  role: 'agent' | 'admin';
  departments: string[];
  disabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
}

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
}

const depts = (s: string) =>
  s
    .split(/[,，、\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** 账号管理: add, disable/enable, reset password, departments. */
export function accountsView(ctx: Ctx): View {
  const msg = h('div', { 'aria-live': 'polite' });
  const tbody = h('tbody');
  const username = h('input', { 'aria-label': '用户名', placeholder: '用户名', maxlength: 64, required: true });
  const displayName = h('input', { 'aria-label': '姓名', placeholder: '姓名', maxlength: 64 });
  const role = h('select', { 'aria-label': '角色' }, h('option', { value: 'agent' }, '坐席'), h('option', { value: 'admin' }, '管理员'));
  const departments = h('input', { 'aria-label': '部门', placeholder: `部门，如 ${ctx.departments.slice(0, 2).join('、')}`, list: 'known-departments' });
  const add = h('form', { class: 'tools add-account' }, username, displayName, role, departments, h('button', { type: 'submit', class: 'primary' }, '添加账号'), h('datalist', { id: 'known-departments' }, ctx.departments.map((d) => h('option', { value: d }))));
  const el = h(
    'section',
    { class: 'view' },
    h('header', { class: 'view-head' }, h('h2', null, '账号管理')),
    add,
    msg,
    h('table', { class: 'table accounts' }, h('thead', null, h('tr', null, ...['用户名', '姓名', '角色', '部门', '状态', '最近登录', '操作'].map((x) => h('th', null, x)))), tbody),
  );

  const shout = (kind: 'ok' | 'error', text: string) => clear(msg, notice(kind, text));

  async function load(): Promise<void> {
    const r = await api<{ items: Account[] }>('GET', '/api/admin/staff');
    clear(tbody, r.items.map(row));
  }

  function row(a: Account): HTMLElement {
    const deptInput = h('input', { value: a.departments.join('、'), 'aria-label': `${a.username} 的部门`, list: 'known-departments' });
    const save = h('button', { type: 'button' }, '保存部门');
    save.addEventListener('click', () => void change(() => api('PATCH', `/api/admin/staff/${encodeURIComponent(a.username)}`, { departments: depts(deptInput.value) }), `${a.username} 的部门已更新`));
    const toggle = h('button', { type: 'button', class: a.disabled ? '' : 'danger' }, a.disabled ? '启用' : '禁用');
    toggle.addEventListener('click', () => void change(() => api('POST', `/api/admin/staff/${encodeURIComponent(a.username)}/${a.disabled ? 'enable' : 'disable'}`), `${a.username} 已${a.disabled ? '启用' : '禁用'}`));
    const reset = h('button', { type: 'button' }, '重置密码');
    reset.addEventListener('click', async () => {
      try {
        const r = await api<{ password?: string }>('POST', `/api/admin/staff/${encodeURIComponent(a.username)}/reset-password`);
        shout('ok', `${a.username} 的新密码：${r.password ?? '（已设置）'}（只显示这一次，请当面交给本人）`);
      } catch (e) {
        shout('error', (e as Error).message);
      }
    });
    return h(
      'tr',
      { 'data-username': a.username },
      h('td', null, a.username),
      h('td', null, a.displayName ?? ''),
      h('td', null, a.role === 'admin' ? '管理员' : '坐席'),
      h('td', null, a.role === 'admin' ? '全部' : h('div', { class: 'tools' }, deptInput, save)),
      h('td', null, a.disabled ? '已禁用' : a.lockedUntil ? `锁定至 ${dateTime(a.lockedUntil)}` : '正常'),
      h('td', null, dateTime(a.lastLoginAt)),
      h('td', null, h('div', { class: 'tools' }, toggle, reset)),
    );
  }

  async function change(fn: () => Promise<unknown>, ok: string): Promise<void> {
    try {
      await fn();
      shout('ok', ok);
      await load();
    } catch (e) {
      shout('error', (e as Error).message);
    }
  }

  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api<{ password?: string }>('POST', '/api/admin/staff', { username: username.value.trim(), displayName: displayName.value.trim() || undefined, role: role.value, departments: depts(departments.value) });
      shout('ok', `已添加 ${username.value.trim()}，初始密码：${r.password ?? '（已设置）'}（只显示这一次）`);
      username.value = displayName.value = departments.value = '';
      await load();
    } catch (err) {
      shout('error', (err as Error).message);
    }
  });
  return { el, show: () => void load().catch((e: Error) => shout('error', e.message)) };
}

/** 审计日志: who did what, when, from where; filter by person, action and period. */
export function auditView(_ctx: Ctx): View {
  const actor = h('input', { 'aria-label': '操作人', placeholder: '操作人', maxlength: 64 });
  const action = h('input', { 'aria-label': '操作', placeholder: '操作，如 login. 或 handoff.claim', maxlength: 64 });
  const from = h('input', { type: 'date', 'aria-label': '开始日期' });
  const to = h('input', { type: 'date', 'aria-label': '结束日期' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, '更多');
  const msg = h('div');
  const filters = h('form', { class: 'tools filters' }, actor, action, from, to, h('button', { type: 'submit' }, '筛选'));
  const el = h(
    'section',
    { class: 'view' },
    h('header', { class: 'view-head' }, h('h2', null, '审计日志'), filters),
    msg,
    h('table', { class: 'table audit' }, h('thead', null, h('tr', null, ...['时间', '操作人', '操作', '对象', '详情', '地址'].map((x) => h('th', null, x)))), tbody),
    more,
  );
  let next: number | null = null;

  async function load(append: boolean): Promise<void> {
    try {
      const r = await api<{ items: AuditEntry[]; next: number | null }>('GET', `/api/admin/audit${q({ actor: actor.value.trim(), action: action.value.trim(), from: from.value, to: to.value, before: append ? next : undefined, limit: 100 })}`);
      if (!append) clear(tbody);
      for (const e of r.items)
        tbody.append(
          h('tr', null, h('td', null, dateTime(e.at)), h('td', null, e.actor), h('td', null, e.action), h('td', null, e.target ?? ''), h('td', { class: 'details' }, e.details ? JSON.stringify(e.details).slice(0, 200) : ''), h('td', null, e.ip ?? '')),
        );
      next = r.next;
      more.hidden = next === null;
      clear(msg);
    } catch (e) {
      clear(msg, notice('error', (e as Error).message));
    }
  }
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(false);
  });
  more.addEventListener('click', () => void load(true));
  return { el, show: () => void load(false) };
}

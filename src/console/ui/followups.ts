import { api, q } from './api.js';
import type { Ctx, View } from './context.js';
import { clear, dateTime, h, notice } from './dom.js';

interface Followup {
  id: string;
  conversationId: string;
  department: string | null;
  status: 'open' | 'closed' | 'cancelled';
  overdue: boolean;
  dueAt: string;
  createdAt: string;
  closedAt: string | null;
  level: number;
  levelName: string;
  comment: string | null;
  ratedReply: string | null;
  question: string | null;
  action: string | null;
  answer: string | null;
  handledBy: string | null;
}

/** 差评回访: my departments' poor ratings with due dates; record what was done and answer the citizen. */
export function followupsView(ctx: Ctx): View {
  const status = h('select', { id: 'followup-status', 'aria-label': '状态' }, ...(
    [
      ['open', '待处理'],
      ['overdue', '已超期'],
      ['closed', '已办结'],
      ['all', '全部'],
    ] as const
  ).map(([v, l]) => h('option', { value: v }, l)));
  const list = h('div', { class: 'followup-list' });
  const msg = h('div');
  const el = h('section', { class: 'view' }, h('header', { class: 'view-head' }, h('h2', null, '差评回访'), h('div', { class: 'tools' }, status)), msg, list);

  async function load(): Promise<void> {
    try {
      const r = await api<{ items: Followup[] }>('GET', `/api/staff/followups${q({ status: status.value })}`);
      clear(list, r.items.length ? r.items.map(card) : h('p', { class: 'empty' }, '没有需要回访的差评。'));
    } catch (e) {
      clear(msg, notice('error', `加载失败：${(e as Error).message}`));
    }
  }

  function card(f: Followup): HTMLElement {
    const action = h('textarea', { rows: 2, maxlength: 4000, 'aria-label': '核查和处理情况', placeholder: '核查和处理情况' }, f.action ?? '');
    const answer = h('textarea', { rows: 2, maxlength: 4000, 'aria-label': '答复群众', placeholder: '给群众的答复（办结时必填）' }, f.answer ?? '');
    const m = h('div');
    const save = h('button', { type: 'button' }, '保存');
    const close = h('button', { type: 'button', class: 'primary' }, '办结并答复');
    const open = f.status === 'open';
    const send = async (how: 'save' | 'close') => {
      try {
        const body = { action: action.value.trim() || undefined, answer: answer.value.trim() || undefined };
        if (how === 'save') await api('PATCH', `/api/staff/followups/${f.id}`, body);
        else await api('POST', `/api/staff/followups/${f.id}/close`, body);
        clear(m, notice('ok', how === 'save' ? '已保存' : '已办结，答复已发给群众'));
        if (how === 'close') void load();
      } catch (e) {
        clear(m, notice('error', (e as Error).message));
      }
    };
    save.addEventListener('click', () => void send('save'));
    close.addEventListener('click', () => void send('close'));
    action.disabled = answer.disabled = !open;
    return h(
      'article',
      { class: `followup${f.overdue ? ' overdue' : ''}`, 'data-followup': f.id },
      h(
        'div',
        { class: 'qi-tags' },
        h('span', { class: `level level-${f.level}` }, `${f.level} 星 · ${f.levelName}`),
        f.department ? h('span', { class: 'dept' }, f.department) : null,
        h('span', { class: f.overdue ? 'mark mark-escalated' : 'muted' }, f.overdue ? `已超期（应于 ${dateTime(f.dueAt)} 前办结）` : `办结期限 ${dateTime(f.dueAt)}`),
        h('span', { class: 'muted' }, `评价于 ${dateTime(f.createdAt)}`),
        h('a', { href: `#c/${f.conversationId}` }, '查看会话'),
      ),
      f.question ? h('p', null, h('strong', null, '群众问：'), f.question) : null,
      f.ratedReply ? h('p', { class: 'muted' }, h('strong', null, '被评价的回复：'), f.ratedReply) : null,
      f.comment ? h('p', null, h('strong', null, '评价意见：'), f.comment) : null,
      h('label', null, '核查和处理情况', action),
      h('label', null, '答复群众', answer),
      open ? h('div', { class: 'tools' }, save, close) : h('p', { class: 'muted' }, `${f.status === 'closed' ? '已办结' : '已撤销'}${f.handledBy ? ` · ${f.handledBy}` : ''}${f.closedAt ? ` · ${dateTime(f.closedAt)}` : ''}`),
      m,
    );
  }

  status.addEventListener('change', () => void load());
  void ctx;
  return { el, show: () => void load() };
}

import { ApiError, api, q } from './api.js';
import { newConversationArrived, queueSeen } from './alert.js';
import { CHANNELS, PRIORITY, REASONS, type Ctx, type View } from './context.js';
import { clear, duration, h, notice, time } from './dom.js';

export interface QueueItem {
  conversationId: string;
  department: string;
  reason: string;
  priority: number;
  waitingSeconds: number;
  requestedAt: number;
  channel: string;
  position: number | null;
  summary: { text: string; questions: string[]; guideId: string | null; guideTitle: string | null; formDraftId: string | null; priorityReasons: string[] };
}

/** 排队: my departments' waiting conversations, live, most urgent first, with 接入. */
export function queueView(ctx: Ctx, badge: (n: number) => void): View {
  const list = h('div', { class: 'queue-list', 'aria-live': 'polite' });
  const status = h('span', { class: 'live-status' }, '连接中…');
  const filter = h('select', { id: 'queue-department', 'aria-label': '部门' }, h('option', { value: '' }, '我的全部部门'), ...ctx.mine.map((d) => h('option', { value: d }, d)));
  const msg = h('div');
  const el = h(
    'section',
    { class: 'view queue-view', 'aria-labelledby': 'queue-title' },
    h('header', { class: 'view-head' }, h('h2', { id: 'queue-title' }, '排队中的会话'), h('div', { class: 'tools' }, filter, status)),
    msg,
    list,
  );
  let items: QueueItem[] = [];
  let loadedAt = Date.now();
  const notices = new Map<string, string>();

  async function load(): Promise<void> {
    try {
      const r = await api<{ items: QueueItem[] }>('GET', `/api/staff/queue${q({ department: filter.value })}`);
      items = r.items;
      loadedAt = Date.now();
      render();
      badge(items.length);
    } catch (e) {
      clear(msg, notice('error', `排队列表加载失败：${(e as Error).message}`));
    }
  }

  function render(): void {
    if (!items.length) {
      clear(list, h('p', { class: 'empty' }, '目前没有等待中的会话。有新的会话时会响铃提醒。'));
      return;
    }
    clear(
      list,
      items.map((it) => {
        const waited = it.waitingSeconds + (Date.now() - loadedAt) / 1000;
        const marks = it.summary.priorityReasons.map((r) => h('span', { class: `mark mark-${r}` }, PRIORITY[r] ?? r));
        const claim = h('button', { class: 'primary', 'data-claim': it.conversationId }, '接入');
        claim.addEventListener('click', () => void doClaim(it, claim));
        const told = notices.get(it.conversationId);
        return h(
          'article',
          { class: `queue-item${it.priority > 0 ? ' urgent' : ''}`, 'data-conversation': it.conversationId },
          h(
            'div',
            { class: 'qi-main' },
            h('div', { class: 'qi-tags' }, h('span', { class: 'dept' }, it.department), h('span', { class: `reason reason-${it.reason}` }, REASONS[it.reason] ?? it.reason), ...marks, h('span', { class: 'muted' }, CHANNELS[it.channel] ?? it.channel)),
            h('p', { class: 'qi-summary' }, it.summary.text || '（无摘要）'),
            it.summary.guideTitle ? h('p', { class: 'muted' }, `相关事项：${it.summary.guideTitle}`) : null,
            it.summary.questions.length ? h('ul', { class: 'qi-questions' }, it.summary.questions.slice(-3).map((x) => h('li', null, x))) : null,
            told ? notice('error', told) : null,
          ),
          h(
            'div',
            { class: 'qi-side' },
            h('div', { class: 'qi-wait', 'data-wait': String(it.requestedAt) }, h('span', { class: 'muted' }, '已等待'), h('strong', null, duration(waited))),
            h('div', { class: 'muted' }, `${time(it.requestedAt)} 提交${it.position ? ` · 第 ${it.position} 位` : ''}`),
            claim,
          ),
        );
      }),
    );
  }

  async function doClaim(it: QueueItem, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    clear(msg);
    try {
      await api('POST', `/api/staff/conversations/${encodeURIComponent(it.conversationId)}/claim`);
      notices.delete(it.conversationId);
      ctx.openConversation(it.conversationId);
      void load();
    } catch (e) {
      const m = e instanceof ApiError && e.status === 409 ? `接入失败：${e.message}（已被其他工作人员接入）` : `接入失败：${(e as Error).message}`;
      clear(msg, notice('error', m));
      button.disabled = false;
      void load();
    }
  }

  filter.addEventListener('change', () => void load());
  ctx.events.on({
    queue: (e) => {
      if (e.action === 'added' || (e.action === 'transferred' && ctx.mine.includes(e.department))) newConversationArrived();
      void load();
    },
    status: (live) => {
      status.textContent = live ? '● 实时' : '○ 重新连接中…';
      status.classList.toggle('off', !live);
      if (live) void load();
    },
  });
  // The waiting times tick without asking the server.
  setInterval(() => {
    for (const w of list.querySelectorAll<HTMLElement>('[data-wait]')) {
      const it = items.find((i) => String(i.requestedAt) === w.dataset.wait);
      if (it) w.querySelector('strong')!.textContent = duration(it.waitingSeconds + (Date.now() - loadedAt) / 1000);
    }
  }, 1000);
  document.addEventListener('visibilitychange', () => {
    if (!el.hidden) queueSeen();
  });
  void load();
  return {
    el,
    show: () => {
      queueSeen();
      void load();
    },
  };
}

import { ApiError, api, q } from './api.js';
import { ASPECTS, CHANNELS, REASONS, type Ctx, type View } from './context.js';
import { append, clear, dateTime, h, notice, time } from './dom.js';
import type { TranscriptMessage } from './events.js';

interface Transcript {
  conversation: { id: string; channel: string; status: string; department: string | null; assignedTo: string | null; guideId: string | null; guideTitle: string | null; createdAt: number };
  handoff: { id: string; department: string; reason: string; status: string; claimedBy: string | null; note: string | null; summary: { text: string; priorityReasons: string[] } } | null;
  messages: TranscriptMessage[];
  drafts: { id: string; formId: string; guideId: string | null; status: string; data: Record<string, string>; updatedAt: number }[];
}

interface Evidence {
  chunks?: { chunkId: string; guideId: string; guideTitle?: string | null; aspect: string | null; score: number }[];
  confidence?: number;
  reason?: string;
}

const ROLE: Record<string, string> = { citizen: '群众', bot: '智能助手', staff: '工作人员', system: '系统' };
const STATUS: Record<string, string> = { bot: '智能助手接待', waiting: '排队中', staff: '人工服务中', closed: '已结束' };

/** One conversation's tab: the transcript with each bot reply's evidence, form drafts, reply with 常用语, transfer, close. */
export function conversationView(ctx: Ctx, id: string): View & { title: HTMLElement } {
  const title = h('span', null, `会话 ${id.slice(-6)}`);
  const head = h('header', { class: 'view-head conv-head' });
  const msg = h('div', { class: 'conv-msg' });
  const transcript = h('ol', { class: 'transcript', 'aria-label': '对话记录' });
  const side = h('aside', { class: 'conv-side', 'aria-label': '表单草稿与转办' });
  const input = h('textarea', { id: `reply-${id}`, class: 'reply-input', rows: 3, maxlength: 2000, placeholder: '输入回复，Ctrl+Enter 发送', 'aria-label': '回复内容' });
  const send = h('button', { class: 'primary', type: 'submit' }, '发送');
  const canned = h('div', { class: 'canned', 'aria-label': '常用语' });
  const composer = h('form', { class: 'composer' }, canned, h('div', { class: 'composer-row' }, input, send));
  const el = h('section', { class: 'view conv-view', 'data-conversation': id }, head, msg, h('div', { class: 'conv-body' }, h('div', { class: 'conv-main' }, transcript, composer), side));
  const shown = new Set<string>();
  let t: Transcript | null = null;
  /** Transferred to a department not mine: the conversation is no longer mine to read. */
  let gone: string | null = null;
  /** A transfer in flight: its queue event may come before its answer; reload after, not during. */
  let transferring = false;

  const mineNow = () => t?.conversation.status === 'staff' && t.conversation.assignedTo === ctx.me.id;

  async function load(): Promise<void> {
    if (gone || transferring) return;
    try {
      t = await api<Transcript>('GET', `/api/staff/conversations/${encodeURIComponent(id)}`);
    } catch (e) {
      clear(msg, notice('error', `会话加载失败：${(e as Error).message}`));
      return;
    }
    clear(transcript);
    shown.clear();
    for (const m of t.messages) addMessage(m);
    renderHead();
    renderSide();
    void loadCanned();
    transcript.lastElementChild?.scrollIntoView({ block: 'end' });
  }

  function renderHead(): void {
    if (!t) return;
    const c = t.conversation;
    title.textContent = `${c.department ?? ''} ${id.slice(-6)}`.trim();
    const actions = h('div', { class: 'tools' });
    if (c.status === 'waiting') {
      const b = h('button', { class: 'primary' }, '接入');
      b.addEventListener('click', () => void act('claim', b));
      append(actions, b);
    }
    if (mineNow()) {
      const close = h('button', { class: 'danger', 'data-action': 'close' }, '结束会话');
      close.addEventListener('click', () => {
        if (close.dataset.confirm) return void act('close', close);
        close.dataset.confirm = '1';
        close.textContent = '确认结束？';
        setTimeout(() => {
          delete close.dataset.confirm;
          close.textContent = '结束会话';
        }, 5000);
      });
      append(actions, close);
    }
    const shut = h('button', { class: 'ghost', title: '关闭这个标签（会话仍由您接待）' }, '关闭标签');
    shut.addEventListener('click', () => ctx.closeConversation(id));
    append(actions, shut);
    clear(
      head,
      h(
        'div',
        null,
        h('h2', null, `会话 ${id}`),
        h(
          'p',
          { class: 'muted' },
          [c.department ? `部门：${c.department}` : null, `状态：${STATUS[c.status] ?? c.status}`, `渠道：${CHANNELS[c.channel] ?? c.channel}`, c.guideTitle ? `事项：${c.guideTitle}` : null, t.handoff ? `原因：${REASONS[t.handoff.reason] ?? t.handoff.reason}` : null, `开始于 ${dateTime(c.createdAt)}`]
            .filter(Boolean)
            .join(' · '),
        ),
        t.handoff?.note ? h('p', { class: 'note' }, `转办备注：${t.handoff.note}`) : null,
      ),
      actions,
    );
    input.disabled = send.disabled = !mineNow();
    composer.hidden = c.status === 'closed';
    if (c.status === 'closed') clear(msg, notice('info', '会话已结束，群众已收到评价邀请。'));
    else if (c.status === 'staff' && !mineNow()) clear(msg, notice('info', '这个会话由其他工作人员接待，您只能查看。'));
  }

  function addMessage(m: TranscriptMessage): void {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    const ev = (m.evidence ?? null) as Evidence | null;
    const basis =
      m.role === 'bot' && ((m.citations?.length ?? 0) > 0 || ev?.chunks?.length)
        ? h(
            'div',
            { class: 'evidence', 'aria-label': '回答依据' },
            h('strong', null, '依据'),
            m.citations?.length ? h('ul', null, m.citations.map((c) => h('li', null, h('a', { href: c.url, target: '_blank', rel: 'noopener' }, `${c.title} · ${c.section ? (ASPECTS[c.section] ?? c.section) : '概述'}`)))) : null,
            ev?.chunks?.length
              ? h(
                  'ul',
                  { class: 'chunks' },
                  // Several chunks of one section (FAQ pairs) are one source to the agent: the best score of each.
                  [...new Map([...ev.chunks].sort((a, b) => a.score - b.score).map((c) => [`${c.guideId}|${c.aspect}`, c])).values()].reverse().slice(0, 3).map((c) => h('li', null, `${c.guideTitle ?? c.guideId} · ${c.aspect ? (ASPECTS[c.aspect] ?? c.aspect) : '概述'}`, h('span', { class: 'muted' }, ` 相关度 ${c.score.toFixed(3)}`))),
                )
              : null,
            typeof ev?.confidence === 'number' ? h('p', { class: 'muted' }, `置信度 ${(ev.confidence * 100).toFixed(0)}%`) : null,
          )
        : null;
    append(
      transcript,
      h(
        'li',
        { class: `tm tm-${m.role}`, 'data-message': m.id },
        h('div', { class: 'tm-bubble' }, h('div', { class: 'tm-who' }, `${m.role === 'staff' && m.author ? `${ROLE.staff} · ${m.author}` : ROLE[m.role]}  ${time(m.createdAt)}`), h('div', { class: 'tm-text' }, m.text)),
        basis,
      ),
    );
  }

  function renderSide(): void {
    if (!t) return;
    // Field labels as the citizen saw them, from the form replies in the transcript.
    const labels = new Map<string, string>();
    const titles = new Map<string, string>();
    for (const m of t.messages) {
      const f = m.form as { formId?: string; title?: string; fields?: { name: string; label: string }[] } | undefined;
      for (const x of f?.fields ?? []) labels.set(`${f!.formId}|${x.name}`, x.label);
      if (f?.formId && f.title) titles.set(f.formId, f.title);
    }
    const drafts = t.drafts.length
      ? t.drafts.map((d) =>
          h(
            'div',
            { class: 'draft' },
            h('h4', null, `${titles.get(d.formId) ?? d.formId}（${d.status === 'confirmed' ? '已确认' : '草稿'}）`),
            h('dl', null, Object.entries(d.data).flatMap(([k, v]) => [h('dt', null, labels.get(`${d.formId}|${k}`) ?? k), h('dd', null, v)])),
          ),
        )
      : [h('p', { class: 'muted' }, '群众没有填写表单。')];
    const parts: HTMLElement[] = [h('h3', null, '表单草稿'), ...drafts];
    if (mineNow()) {
      const to = h('select', { id: `transfer-${id}`, 'aria-label': '转办到部门' }, ctx.departments.filter((d) => d !== t!.conversation.department).map((d) => h('option', { value: d }, d)));
      const note = h('input', { id: `transfer-note-${id}`, maxlength: 500, placeholder: '转办备注（选填）', 'aria-label': '转办备注' });
      const go = h('button', { type: 'submit' }, '转办');
      const form = h('form', { class: 'transfer' }, h('h3', null, '转办到其他部门'), to, note, go);
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        go.disabled = true;
        transferring = true;
        try {
          await api('POST', `/api/staff/conversations/${encodeURIComponent(id)}/transfer`, { department: to.value, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
          transferring = false;
          clear(msg, notice('ok', `已转办到 ${to.value}`));
          if (ctx.mine.includes(to.value)) return void (await load());
          // Out of my departments: what was shown stays, read-only.
          gone = to.value;
          composer.hidden = true;
          clear(side, h('p', { class: 'muted' }, `已转到${to.value}排队，由${to.value}的工作人员接待。`));
          clear(head.querySelector('.tools')!, h('button', { class: 'ghost', onclick: () => ctx.closeConversation(id) }, '关闭标签'));
        } catch (err) {
          transferring = false;
          clear(msg, notice('error', `转办失败：${(err as Error).message}`));
          go.disabled = false;
        }
      });
      parts.push(form);
    }
    clear(side, parts);
  }

  async function loadCanned(): Promise<void> {
    const dept = t?.conversation.department;
    if (!mineNow() || !dept) return clear(canned);
    try {
      const r = await api<{ items: { id: string; title: string | null; text: string }[] }>('GET', `/api/staff/canned-replies${q({ department: dept })}`);
      clear(
        canned,
        r.items.length ? h('span', { class: 'muted' }, '常用语：') : null,
        r.items.map((c) => {
          const b = h('button', { type: 'button', class: 'chip', title: c.text }, c.title || c.text.slice(0, 12));
          b.addEventListener('click', () => {
            input.value = input.value ? `${input.value}${c.text}` : c.text;
            input.focus();
          });
          return b;
        }),
      );
    } catch {
      clear(canned);
    }
  }

  async function act(what: 'claim' | 'close', button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api('POST', `/api/staff/conversations/${encodeURIComponent(id)}/${what}`);
      await load();
    } catch (e) {
      const m = e instanceof ApiError && e.status === 409 ? `${e.message}` : (e as Error).message;
      clear(msg, notice('error', what === 'claim' ? `接入失败：${m}` : `结束失败：${m}`));
      button.disabled = false;
    }
  }

  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    send.disabled = true;
    try {
      const m = await api<TranscriptMessage>('POST', `/api/staff/conversations/${encodeURIComponent(id)}/messages`, { text });
      addMessage(m);
      input.value = '';
      transcript.lastElementChild?.scrollIntoView({ block: 'end' });
    } catch (err) {
      clear(msg, notice('error', `发送失败：${(err as Error).message}`));
    } finally {
      send.disabled = !mineNow();
      input.focus();
    }
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) composer.requestSubmit();
  });

  ctx.events.on({
    message: (e) => {
      if (e.conversationId !== id) return;
      // A message in a tab not in front: the tab says so until it is opened.
      if (el.hidden && e.message.role === 'citizen') title.parentElement?.classList.add('unread');
      addMessage(e.message);
      transcript.lastElementChild?.scrollIntoView({ block: 'end' });
    },
    queue: (e) => {
      if (e.conversationId === id) void load();
    },
  });
  void load();
  return {
    el,
    title,
    show: () => {
      title.parentElement?.classList.remove('unread');
      input.focus();
    },
  };
}

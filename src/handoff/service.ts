import type { Config } from '../config.js';
import { handoffWait } from '../platform/metrics.js';
import type { HandoffPort, Turn, TurnContext } from '../dialogue/engine.js';
import type { HandoffView } from '../dialogue/reply.js';
import type { SessionState, SessionStore } from '../dialogue/session.js';
import { AppError, badRequest, forbidden, notFound } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { maskPII } from '../platform/pii.js';
import type { Conversation } from '../records/schema.js';
import type { ConversationRecords, StoredMessage } from '../records/store.js';
import { canActOn, type StaffPrincipal } from '../staff/principal.js';
import { WaitEstimator } from './eta.js';
import { topics, type EventBus } from './events.js';
import { isStaffed, parseHours, parseMinutes, PerDepartment, type Hours } from './hours.js';
import { MAX_PRIORITY, priorityOf } from './priority.js';
import type { HandoffQueue, QueueEntry } from './queue.js';
import { nextState, statesAllowing, IllegalTransitionError, OPEN_STATUSES, WAITING_STATUSES, type HandoffReason } from './state.js';
import type { HandoffRecord, HandoffStore } from './store.js';
import { buildSummary } from './summary.js';
import { CANCEL, findPhone, LEAVE_MESSAGE, texts } from './texts.js';
import type { TimerScheduler } from './timers.js';
import { citizenMessage, staffMessage, type CitizenEvent, type CitizenMessage, type OutboundEvent, type QueueAction, type QueueItem, type StaffEvent, type StaffMessage } from './views.js';

/** The handoff settings, parsed from the configuration (HANDOFF_*). */
export interface HandoffSettings {
  hours: PerDepartment<Hours>;
  timeZone: string;
  maxWaitMs: PerDepartment<number>;
  offerAfterMs: PerDepartment<number>;
  idleCloseMs: number;
  general: string;
  defaultHandlingSeconds: number;
}

export function handoffSettings(config: Config): HandoffSettings {
  const minutes = (spec: string, fallback: number) => PerDepartment.parse(spec, parseMinutes, fallback).map((m) => m * 60_000);
  return {
    hours: PerDepartment.parse(config.HANDOFF_HOURS, parseHours, parseHours('always')),
    timeZone: config.HANDOFF_TIMEZONE,
    maxWaitMs: minutes(config.HANDOFF_MAX_WAIT_MINUTES, 10),
    offerAfterMs: minutes(config.HANDOFF_LEFT_MESSAGE_AFTER_MINUTES, 5),
    idleCloseMs: config.HANDOFF_IDLE_CLOSE_MINUTES * 60_000,
    general: config.HANDOFF_GENERAL_DEPARTMENT,
    defaultHandlingSeconds: config.HANDOFF_DEFAULT_HANDLING_SECONDS,
  };
}

export interface HandoffServiceDeps {
  records: ConversationRecords;
  store: HandoffStore;
  queue: HandoffQueue;
  events: EventBus;
  timers: TimerScheduler;
  sessions: SessionStore;
  settings: HandoffSettings;
  /** Title and department of a guide, for the department of the queue and the summary. */
  guide: (id: string) => { title: string; department: string } | undefined;
  /** Every department that has a queue (guides' departments, the general queue, configured ones). */
  departments: () => string[];
  logger: Logger;
  now?: () => number;
}

/** The result of a staff action on a conversation. */
export interface ConversationAction {
  conversationId: string;
  handoffId: string;
  status: 'waiting' | 'staff' | 'closed';
  department: string;
  assignedTo: string | null;
  position?: number | null;
}

export interface Transcript {
  conversation: {
    id: string;
    channel: string;
    status: string;
    department: string | null;
    assignedTo: string | null;
    guideId: string | null;
    guideTitle: string | null;
    createdAt: number;
    updatedAt: number;
  };
  handoff: (HandoffRecordView & { view: HandoffView | null }) | null;
  handoffs: HandoffRecordView[];
  messages: StaffMessage[];
  drafts: Array<{ id: string; formId: string; guideId: string | null; status: string; data: Record<string, string>; createdAt: number; updatedAt: number; confirmedAt: number | null }>;
}

export type HandoffRecordView = Omit<HandoffRecord, 'conversationId'>;

export interface CallbackItem {
  handoffId: string;
  conversationId: string;
  department: string;
  reason: HandoffReason;
  message: string | null;
  phone: string | null;
  requestedAt: number;
  leftAt: number | null;
  summary: QueueEntry['summary'];
}

const conflict = (code: string, message: string) => new AppError(409, code, message);

/**
 * Human handoff (转人工): the conversation's state machine over the record store, the departments'
 * queues, the events between citizens and staff, and the timers. It is the dialogue engine's
 * HandoffPort, the staff API's backend and the worker's job handler at once, so every instance
 * and every worker applies the same rules. The database decides; queue and events follow.
 */
export class HandoffService implements HandoffPort {
  private readonly now: () => number;
  private readonly estimator: WaitEstimator;
  private readonly announcing = new Map<string, Promise<void>>();
  private readonly announceAgain = new Set<string>();
  /** Places last announced per department (conversation id -> place), to announce changes only. */
  private readonly announced = new Map<string, Map<string, number>>();

  constructor(private readonly d: HandoffServiceDeps) {
    this.now = d.now ?? Date.now;
    this.estimator = new WaitEstimator(d.store, d.settings.defaultHandlingSeconds, this.now);
  }

  get settings(): HandoffSettings {
    return this.d.settings;
  }

  // ---------------------------------------------------------------- citizen side (HandoffPort)

  async status(conversation: Conversation): Promise<HandoffView | null> {
    if (conversation.status === 'bot') return null;
    const h = await this.d.store.current(conversation.id);
    if (!h) return null;
    return this.view(h);
  }

  async request(ctx: TurnContext, reason: HandoffReason): Promise<Turn> {
    return this.open({ conversation: ctx.conversation, session: ctx.session, channel: ctx.channel, reason, text: ctx.message.text });
  }

  async citizenMessage(ctx: TurnContext, text: string): Promise<Turn> {
    const conv = ctx.conversation;
    const h = await this.d.store.current(conv.id);
    if (!h || !WAITING_STATUSES.concat('staff').includes(h.status)) {
      // The conversation says waiting but no open handoff backs it: put it back to the bot.
      await this.d.records.updateConversation(conv.id, { status: 'bot', assigned_to: null });
      return { type: 'handoff', text: '人工服务已结束。您可以继续问我问题，需要时再回复“转人工”。', handoff: null };
    }
    const now = this.now();
    const message = citizenMessage(ctx.message);

    if (h.status === 'staff') {
      // Staff hold the conversation: the bot stays silent and the message goes to them.
      await this.d.store.patch(h.id, { activity_at: now }, ['staff']);
      await this.staffEvent({ type: 'message', conversationId: conv.id, department: h.department, assignedTo: h.claimedBy, message });
      return { type: 'staff', text: '', blocks: [], suggestions: [], silent: true, handoff: await this.view(h) };
    }

    if (CANCEL.test(text.trim())) return this.cancel(conv, h);

    if (h.status === 'message' || h.status === 'pending') {
      const phone = findPhone(text);
      const left = [h.leftMessage, text].filter(Boolean).join('\n').slice(-2000);
      await this.d.store.patch(h.id, { left_message: left, activity_at: now, ...(phone ? { callback_phone: phone } : {}) }, [h.status]);
      if (h.status === 'message') {
        if (phone) return this.leaveMessage(conv, { ...h, leftMessage: left, callbackPhone: phone });
        return { type: 'handoff', text: texts.askPhone, suggestions: ['取消'], handoff: await this.view(h) };
      }
      return { type: 'handoff', text: texts.pendingNoted(phone ?? h.callbackPhone), suggestions: ['取消排队'], handoff: await this.view(h) };
    }

    // In the queue. A phone number after the left-message offer, or "我要留言", ends the wait.
    const phone = findPhone(text);
    if (phone && (h.offeredAt || LEAVE_MESSAGE.test(text))) {
      return this.leaveMessage(conv, { ...h, leftMessage: text, callbackPhone: phone });
    }
    if (LEAVE_MESSAGE.test(text.trim())) {
      if (await this.d.store.patch(h.id, { status: 'message', activity_at: now, left_message: null }, ['waiting'])) {
        await this.unqueue(h, 'removed');
        await this.schedule(h.id, now + this.d.settings.idleCloseMs);
        return { type: 'handoff', text: texts.leaveMessageNow, suggestions: ['取消'], handoff: await this.view({ ...h, status: 'message' }) };
      }
    }
    await this.staffEvent({ type: 'message', conversationId: conv.id, department: h.department, assignedTo: null, message });
    const view = await this.view(h);
    return { type: 'handoff', text: texts.waitingNoted(view?.position ?? null, view?.etaSeconds ?? null), suggestions: ['取消排队'], handoff: view };
  }

  /** A handoff outside a dialogue turn: the ratings code after a low rating with a request for help. */
  async requestFor(conversationId: string, reason: HandoffReason, text = ''): Promise<{ handoff: HandoffView | null; text: string }> {
    const conv = await this.d.records.getConversation(conversationId);
    if (!conv) throw notFound('没有这个会话');
    const session = await this.session(conv);
    const turn = await this.open({ conversation: conv, session, channel: conv.channel, reason, text });
    const msg = await this.d.records.addMessage({ conversationId: conv.id, role: 'system', type: 'handoff', text: turn.text, payload: { handoff: turn.handoff ?? null } });
    await this.toCitizen(conv, msg);
    return { handoff: turn.handoff ?? null, text: turn.text };
  }

  /**
   * For the ratings code: a rating of 1 or 2 (不满意, 非常不满意) whose comment asks for help
   * starts a handoff with reason "rating". Returns null when the rating does not ask for one.
   */
  async requestForRating(conversationId: string, level: number, comment?: string | null): Promise<{ handoff: HandoffView | null; text: string } | null> {
    if (!ratingAsksForHelp(level, comment)) return null;
    const conv = await this.d.records.getConversation(conversationId);
    if (!conv || conv.status === 'waiting' || conv.status === 'staff') return null;
    return this.requestFor(conversationId, 'rating', comment ?? '');
  }

  private async open(input: { conversation: Conversation; session: SessionState | null; channel: string; reason: HandoffReason; text: string }): Promise<Turn> {
    const { conversation: conv, session } = input;
    if (conv.status === 'waiting' || conv.status === 'staff') {
      const h = await this.d.store.current(conv.id);
      const view = h ? await this.view(h) : null;
      if (h && view) return { type: 'handoff', text: h.status === 'staff' ? texts.staffHolding : texts.waitingNoted(view.position, view.etaSeconds), handoff: view };
    }
    nextState(conv.status, 'request');
    if (session) session.handoffOffered = false;
    const guideId = session?.guideId ?? conv.guide_id ?? null;
    const guide = guideId ? this.d.guide(guideId) : undefined;
    const department = guide?.department ?? this.d.settings.general;
    const questions = session?.recent?.length ? session.recent : input.text ? [maskPII(input.text)] : [];
    const { priority, reasons } = priorityOf(input.reason, questions);
    const summary = buildSummary({ reason: input.reason, questions, guideId, guideTitle: guide?.title ?? null, formDraftId: session?.formDraftId ?? null, priorityReasons: reasons });
    const now = this.now();
    const hours = this.d.settings.hours.get(department);
    const staffed = isStaffed(hours, now, this.d.settings.timeZone);
    const status = !staffed ? 'message' : this.d.queue.available() ? 'waiting' : 'pending';

    const h = await this.d.store.open(
      { conversationId: conv.id, department, reason: input.reason, priority, summary, status, channel: input.channel, at: now, leftMessage: status === 'pending' ? input.text || null : null },
      statesAllowing('request'),
    );
    if (!h) {
      // A second request of the same conversation at the same moment: answer with the first.
      const fresh = await this.d.records.getConversation(conv.id);
      const cur = fresh ? await this.d.store.current(conv.id) : undefined;
      if (!fresh || !cur) throw new IllegalTransitionError(conv.status, 'request');
      const view = await this.view(cur);
      return { type: 'handoff', text: texts.waitingNoted(view?.position ?? null, view?.etaSeconds ?? null), handoff: view };
    }
    this.d.logger.info({ conversationId: conv.id, handoffId: h.id, department, reason: input.reason, priority, status }, 'handoff requested');

    if (status === 'message') {
      await this.schedule(h.id, now + this.d.settings.idleCloseMs);
      return { type: 'handoff', text: texts.offHours(department, hours.text), suggestions: ['取消'], handoff: await this.view(h) };
    }
    if (status === 'waiting' && (await this.enqueue(h))) {
      const view = await this.view(h);
      return { type: 'handoff', text: texts.queued(department, view?.position ?? null, view?.etaSeconds ?? null), suggestions: ['取消排队'], handoff: view };
    }
    return { type: 'handoff', text: texts.unavailable, suggestions: ['取消排队'], handoff: await this.view({ ...h, status: 'pending' }) };
  }

  /**
   * Puts a handoff on its department's queue, announces it to staff and sets its timer. When Redis
   * is away it stays stored as pending (and is enqueued when Redis returns). True when queued.
   */
  private async enqueue(h: HandoffRecord): Promise<boolean> {
    try {
      await this.d.queue.add(entryOf(h));
    } catch (err) {
      this.d.logger.warn({ err, handoffId: h.id }, 'handoff queue unavailable; stored as pending');
      await this.d.store.patch(h.id, { status: 'pending', left_message: h.leftMessage }, ['waiting']);
      return false;
    }
    await this.staffEvent({ type: 'queue', action: 'added', conversationId: h.conversationId, department: h.department, item: await this.item(entryOf(h)) });
    await this.schedule(h.id, (h.queuedAt ?? this.now()) + this.d.settings.maxWaitMs.get(h.department));
    this.announce(h.department);
    return true;
  }

  private async cancel(conv: Conversation, h: HandoffRecord): Promise<Turn> {
    const ok = await this.d.store.move({
      conversationId: conv.id,
      handoffId: h.id,
      from: ['waiting'],
      to: nextState('waiting', 'cancel'),
      conversation: { assigned_to: null },
      handoffFrom: WAITING_STATUSES,
      handoff: { status: 'cancelled', closed_at: this.now(), closed_by: 'citizen' },
    });
    if (!ok) {
      const fresh = await this.d.store.current(conv.id);
      return { type: 'handoff', text: fresh?.status === 'staff' ? texts.staffHolding : texts.cancelled, handoff: fresh ? await this.view(fresh) : null };
    }
    if (h.status === 'waiting') await this.unqueue(h, 'cancelled');
    return { type: 'smalltalk', text: texts.cancelled, suggestions: [], handoff: null };
  }

  /** Cancel from the widget's button (POST /api/sessions/:id/handoff/cancel). */
  async cancelBySession(conv: Conversation): Promise<{ handoff: HandoffView | null; text: string }> {
    const h = await this.d.store.current(conv.id);
    if (!h || conv.status !== 'waiting') throw new IllegalTransitionError(conv.status, 'cancel');
    const turn = await this.cancel(conv, h);
    await this.system(conv, turn.text, { handoff: turn.handoff ?? null });
    return { handoff: turn.handoff ?? null, text: turn.text };
  }

  private async leaveMessage(conv: Conversation, h: HandoffRecord): Promise<Turn> {
    const ok = await this.d.store.move({
      conversationId: conv.id,
      handoffId: h.id,
      from: ['waiting'],
      to: nextState('waiting', 'leave_message'),
      conversation: { closed_at: this.now() },
      handoffFrom: ['waiting', 'message', 'pending'],
      handoff: { status: 'left_message', left_message: h.leftMessage, callback_phone: h.callbackPhone, closed_at: this.now(), closed_by: 'citizen' },
    });
    if (!ok) {
      const fresh = await this.d.store.current(conv.id);
      return { type: 'handoff', text: texts.staffHolding, handoff: fresh ? await this.view(fresh) : null };
    }
    if (h.status === 'waiting') await this.unqueue(h, 'left_message');
    else await this.staffEvent({ type: 'queue', action: 'left_message', conversationId: conv.id, department: h.department });
    return { type: 'handoff', text: texts.messageLeft(h.callbackPhone ?? ''), suggestions: [], handoff: { status: 'closed', department: h.department, position: null, etaSeconds: null, leftMessage: true } };
  }

  /** Takes a handoff off its queue and tells staff and the rest of the queue. */
  private async unqueue(h: HandoffRecord, action: QueueAction, by?: string | null): Promise<void> {
    try {
      await this.d.queue.remove(h.department, h.id);
    } catch (err) {
      // The sweep removes what is left behind: a queued entry whose handoff is no longer waiting.
      this.d.logger.warn({ err, handoffId: h.id }, 'could not remove a handoff from its queue');
    }
    await this.staffEvent({ type: 'queue', action, conversationId: h.conversationId, department: h.department, by: by ?? null });
    this.announce(h.department);
  }

  // ---------------------------------------------------------------- staff side

  private departmentsOf(p: StaffPrincipal, department?: string): string[] {
    if (department) {
      if (!canActOn(p, department)) throw forbidden(`您没有${department}的权限`);
      return [department];
    }
    return p.role === 'admin' ? this.d.departments() : p.departments;
  }

  /** Waiting conversations of the departments, the most urgent first, then the longest waiting. */
  async list(p: StaffPrincipal, department?: string): Promise<QueueItem[]> {
    const depts = this.departmentsOf(p, department);
    let items: QueueItem[];
    try {
      const lists = await Promise.all(depts.map(async (d) => (await this.d.queue.list(d)).map((e, i) => this.itemNow(e, i + 1))));
      items = lists.flat();
    } catch (err) {
      // Redis away: the database still knows who is waiting (positions unknown).
      this.d.logger.warn({ err }, 'queue unavailable; listing waiting handoffs from the database');
      const rows = await this.d.store.list(['waiting', 'pending'], depts);
      items = rows.map((h) => this.itemNow(entryOf(h), null));
    }
    return items.sort((a, b) => b.priority - a.priority || a.requestedAt - b.requestedAt);
  }

  private itemNow(e: QueueEntry, position: number | null): QueueItem {
    return {
      conversationId: e.conversationId,
      handoffId: e.handoffId,
      department: e.department,
      reason: e.reason,
      priority: e.priority,
      waitingSeconds: Math.max(0, Math.round((this.now() - e.requestedAt) / 1000)),
      summary: e.summary,
      channel: e.channel,
      requestedAt: e.requestedAt,
      position,
    };
  }

  private async item(e: QueueEntry): Promise<QueueItem> {
    const position = await this.d.queue.position(e.department, e.handoffId).catch(() => null);
    return this.itemNow(e, position);
  }

  private async conversationFor(p: StaffPrincipal, conversationId: string): Promise<Conversation> {
    const conv = await this.d.records.getConversation(conversationId);
    if (!conv) throw notFound('没有这个会话');
    if (!canActOn(p, conv.department)) throw forbidden('这个会话不属于您负责的部门');
    return conv;
  }

  private async openHandoff(conv: Conversation): Promise<HandoffRecord> {
    const h = await this.d.store.current(conv.id);
    if (!h) throw new IllegalTransitionError(conv.status, 'claim');
    return h;
  }

  /** Takes a waiting conversation. Of two simultaneous claims exactly one wins; the other gets 409. */
  async claim(p: StaffPrincipal, conversationId: string): Promise<ConversationAction> {
    const conv = await this.conversationFor(p, conversationId);
    if (conv.status === 'staff') throw conflict('already_claimed', '这个会话已有工作人员接待');
    nextState(conv.status, 'claim');
    const h = await this.openHandoff(conv);
    const now = this.now();
    const ok = await this.d.store.move({
      conversationId,
      handoffId: h.id,
      from: statesAllowing('claim'),
      to: 'staff',
      conversation: { assigned_to: p.id },
      handoffFrom: WAITING_STATUSES,
      handoff: { status: 'staff', claimed_by: p.id, claimed_at: now, activity_at: now },
    });
    if (!ok) {
      const fresh = await this.d.records.getConversation(conversationId);
      if (fresh?.status === 'staff') throw conflict('already_claimed', '这个会话已被其他工作人员接走');
      throw new IllegalTransitionError(fresh?.status ?? conv.status, 'claim');
    }
    this.d.logger.info({ conversationId, handoffId: h.id, staff: p.id }, 'handoff claimed');
    handoffWait.observe({ department: h.department }, Math.max(0, (now - h.requestedAt) / 1000));
    if (h.status === 'waiting') {
      try {
        await this.d.queue.remove(h.department, h.id);
      } catch (err) {
        this.d.logger.warn({ err, handoffId: h.id }, 'could not remove a claimed handoff from its queue');
      }
    }
    const view: HandoffView = { status: 'staff', department: h.department, position: null, etaSeconds: null };
    await this.system(conv, texts.claimed(p.displayName ?? null), { handoff: view });
    await this.citizenEvent(conv.id, { type: 'handoff', handoff: view });
    await this.staffEvent({ type: 'queue', action: 'claimed', conversationId, department: h.department, by: p.id });
    await this.schedule(h.id, now + this.d.settings.idleCloseMs);
    this.announce(h.department);
    return { conversationId, handoffId: h.id, status: 'staff', department: h.department, assignedTo: p.id };
  }

  /** A staff reply, stored and sent to the citizen at once. Only the member of staff holding it may write. */
  async staffSay(p: StaffPrincipal, conversationId: string, text: string): Promise<CitizenMessage> {
    const conv = await this.conversationFor(p, conversationId);
    if (conv.status !== 'staff') throw conflict('not_held', conv.status === 'waiting' ? '请先接入这个会话' : '这个会话不在人工服务中');
    if (conv.assigned_to !== p.id) throw conflict('not_assigned', '这个会话由其他工作人员接待');
    const h = await this.openHandoff(conv);
    const msg = await this.d.records.addMessage({ conversationId, role: 'staff', author: p.id, type: 'staff', text, payload: { authorName: p.displayName ?? p.username } });
    await this.d.store.patch(h.id, { activity_at: msg.createdAt }, ['staff']);
    await this.toCitizen(conv, msg);
    return citizenMessage(msg);
  }

  /** To another department's queue, from the queue or from the member of staff holding it. */
  async transfer(p: StaffPrincipal, conversationId: string, department: string, note?: string): Promise<ConversationAction> {
    const conv = await this.conversationFor(p, conversationId);
    if (!this.d.departments().includes(department)) throw badRequest(`没有“${department}”这个部门的队列`);
    if (department === conv.department) throw badRequest(`会话已经在${department}`);
    nextState(conv.status, 'transfer');
    if (conv.status === 'staff' && conv.assigned_to !== p.id && p.role !== 'admin') throw conflict('not_assigned', '这个会话由其他工作人员接待');
    const h = await this.openHandoff(conv);
    const now = this.now();
    const noteLine = `${new Date(now).toISOString()} ${h.department} → ${department}${note ? `：${maskPII(note)}` : ''}`;
    const ok = await this.d.store.move({
      conversationId,
      handoffId: h.id,
      from: [conv.status as 'waiting' | 'staff'],
      to: 'waiting',
      conversation: { department, assigned_to: null },
      handoffFrom: [...WAITING_STATUSES, 'staff'],
      handoff: { status: 'waiting', department, claimed_by: null, claimed_at: null, queued_at: now, escalated_at: null, offered_at: null, activity_at: now, note: [h.note, noteLine].filter(Boolean).join('\n') },
    });
    if (!ok) throw new IllegalTransitionError((await this.d.records.getConversation(conversationId))?.status ?? conv.status, 'transfer');
    this.d.logger.info({ conversationId, handoffId: h.id, from: h.department, to: department, staff: p.id }, 'handoff transferred');
    if (h.status === 'waiting') {
      await this.d.queue.remove(h.department, h.id).catch((err: unknown) => this.d.logger.warn({ err, handoffId: h.id }, 'could not remove a transferred handoff'));
    }
    await this.staffEvent({ type: 'queue', action: 'transferred', conversationId, department: h.department, to: department, by: p.id });
    this.announce(h.department);
    const moved: HandoffRecord = { ...h, department, status: 'waiting', claimedBy: null, claimedAt: null, queuedAt: now, escalatedAt: null, offeredAt: null, activityAt: now };
    const queued = await this.enqueue(moved);
    const view = await this.view(queued ? moved : { ...moved, status: 'pending' });
    await this.system(conv, queued ? texts.transferred(department, view?.position ?? null, view?.etaSeconds ?? null) : texts.transferredPending(department), { handoff: view });
    await this.citizenEvent(conv.id, { type: 'handoff', handoff: view });
    return { conversationId, handoffId: h.id, status: 'waiting', department, assignedTo: null, position: view?.position ?? null };
  }

  /** Ends the conversation (held, or dismisses a waiting one); the citizen is asked for a rating. */
  async close(p: StaffPrincipal, conversationId: string): Promise<ConversationAction> {
    const conv = await this.conversationFor(p, conversationId);
    if (conv.status === 'staff' && conv.assigned_to !== p.id && p.role !== 'admin') throw conflict('not_assigned', '这个会话由其他工作人员接待');
    nextState(conv.status, 'close');
    const h = await this.openHandoff(conv);
    if (!(await this.finish(conv, h, p.id, texts.closed))) throw new IllegalTransitionError((await this.d.records.getConversation(conversationId))?.status ?? conv.status, 'close');
    return { conversationId, handoffId: h.id, status: 'closed', department: h.department, assignedTo: conv.assigned_to };
  }

  /** staff|waiting -> closed, with the closing message and the rating request. */
  private async finish(conv: Conversation, h: HandoffRecord, by: string, text: string): Promise<boolean> {
    const now = this.now();
    const from = conv.status === 'waiting' ? 'waiting' : 'staff';
    const ok = await this.d.store.move({
      conversationId: conv.id,
      handoffId: h.id,
      from: [from],
      to: nextState(from, 'close'),
      conversation: { closed_at: now },
      handoffFrom: OPEN_STATUSES,
      handoff: { status: 'closed', closed_at: now, closed_by: by },
    });
    if (!ok) return false;
    this.d.logger.info({ conversationId: conv.id, handoffId: h.id, by }, 'handoff closed');
    this.estimator.invalidate(h.department);
    if (h.status === 'waiting') await this.d.queue.remove(h.department, h.id).catch(() => {});
    const view: HandoffView = { status: 'closed', department: h.department, position: null, etaSeconds: null };
    await this.system(conv, text, { handoff: view, ratingRequested: true });
    await this.citizenEvent(conv.id, { type: 'handoff', handoff: view });
    await this.staffEvent({ type: 'queue', action: 'closed', conversationId: conv.id, department: h.department, by });
    if (h.status === 'waiting') this.announce(h.department);
    await this.patchSession(conv, (s) => {
      s.ratingRequested = true;
    });
    return true;
  }

  /** The whole conversation for staff: messages with each bot reply's evidence, drafts, handoffs. */
  async transcript(p: StaffPrincipal, conversationId: string): Promise<Transcript> {
    const conv = await this.conversationFor(p, conversationId);
    const [messages, drafts, handoffs] = await Promise.all([this.d.records.listMessages(conversationId, { limit: 5000 }), this.d.records.draftsOf(conversationId), this.d.store.ofConversation(conversationId)]);
    const title = (id: string) => this.d.guide(id)?.title;
    const strip = ({ conversationId: _c, ...rest }: HandoffRecord): HandoffRecordView => rest;
    const current = handoffs[handoffs.length - 1];
    return {
      conversation: {
        id: conv.id,
        channel: conv.channel,
        status: conv.status,
        department: conv.department,
        assignedTo: conv.assigned_to,
        guideId: conv.guide_id,
        guideTitle: conv.guide_id ? (title(conv.guide_id) ?? null) : null,
        createdAt: Number(conv.created_at),
        updatedAt: Number(conv.updated_at),
      },
      handoff: current ? { ...strip(current), view: await this.view(current) } : null,
      handoffs: handoffs.map(strip),
      messages: messages.map((m) => staffMessage(m, title)),
      drafts: drafts.map((d) => ({
        id: d.id,
        formId: d.form_id,
        guideId: d.guide_id,
        status: d.status,
        data: JSON.parse(d.data) as Record<string, string>,
        createdAt: Number(d.created_at),
        updatedAt: Number(d.updated_at),
        confirmedAt: d.confirmed_at === null ? null : Number(d.confirmed_at),
      })),
    };
  }

  /** Left messages with a phone number, to call back. */
  async callbacks(p: StaffPrincipal, department?: string, limit = 200): Promise<CallbackItem[]> {
    const depts = department || p.role !== 'admin' ? this.departmentsOf(p, department) : undefined;
    const rows = await this.d.store.leftMessages(depts, limit);
    return rows.map((h) => ({
      handoffId: h.id,
      conversationId: h.conversationId,
      department: h.department,
      reason: h.reason,
      message: h.leftMessage,
      phone: h.callbackPhone,
      requestedAt: h.requestedAt,
      leftAt: h.closedAt,
      summary: h.summary,
    }));
  }

  // ---------------------------------------------------------------- timers and recovery

  /**
   * Looks at a handoff whose timer is due: escalates a long wait (priority up, staff told), then
   * offers a left message; closes a conversation staff have left idle; ends an unanswered
   * left-message offer. Decided from the database, so a late or repeated timer is harmless.
   */
  async tick(handoffId: string): Promise<void> {
    const h = await this.d.store.get(handoffId);
    if (!h) return;
    const now = this.now();
    const s = this.d.settings;
    if (h.status === 'waiting') {
      if (!h.escalatedAt) {
        const due = (h.queuedAt ?? h.requestedAt) + s.maxWaitMs.get(h.department);
        if (now < due) return this.schedule(h.id, due);
        return this.escalate(h);
      }
      if (!h.offeredAt) {
        const due = h.escalatedAt + s.offerAfterMs.get(h.department);
        if (now < due) return this.schedule(h.id, due);
        if (await this.d.store.patch(h.id, { offered_at: now }, ['waiting'])) {
          const conv = await this.d.records.getConversation(h.conversationId);
          if (conv) await this.system(conv, texts.offerMessage, { handoff: await this.view(h), offerMessage: true });
        }
      }
      return;
    }
    if (h.status === 'staff' || h.status === 'message') {
      const due = (h.activityAt ?? h.claimedAt ?? h.requestedAt) + s.idleCloseMs;
      if (now < due) return this.schedule(h.id, due);
      const conv = await this.d.records.getConversation(h.conversationId);
      if (!conv) return;
      if (h.status === 'staff') {
        await this.finish(conv, h, 'system:idle', texts.idleClosed);
        return;
      }
      const ok = await this.d.store.move({
        conversationId: conv.id,
        handoffId: h.id,
        from: ['waiting'],
        to: nextState('waiting', 'cancel'),
        handoffFrom: ['message'],
        handoff: { status: 'cancelled', closed_at: now, closed_by: 'system:idle' },
      });
      if (ok) {
        await this.system(conv, texts.messageExpired, { handoff: null });
        await this.citizenEvent(conv.id, { type: 'handoff', handoff: null });
      }
    }
  }

  private async escalate(h: HandoffRecord): Promise<void> {
    const now = this.now();
    const priority = Math.min(MAX_PRIORITY, h.priority + 1);
    const summary = { ...h.summary, priorityReasons: [...new Set([...h.summary.priorityReasons, 'escalated' as const])] };
    const summaryText = summary.text.startsWith('【等待超时】') ? summary.text : `【等待超时】${summary.text}`;
    if (!(await this.d.store.patch(h.id, { priority, escalated_at: now, summary: { ...summary, text: summaryText } }, ['waiting']))) return;
    const up: HandoffRecord = { ...h, priority, escalatedAt: now, summary: { ...summary, text: summaryText } };
    this.d.logger.info({ handoffId: h.id, department: h.department, priority }, 'handoff escalated after a long wait');
    try {
      await this.d.queue.setPriority(h.department, h.id, priority);
    } catch (err) {
      this.d.logger.warn({ err, handoffId: h.id }, 'could not raise the priority in the queue');
    }
    await this.staffEvent({ type: 'queue', action: 'escalated', conversationId: h.conversationId, department: h.department, item: await this.item(entryOf(up)) });
    const conv = await this.d.records.getConversation(h.conversationId);
    if (conv) {
      const view = await this.view(up);
      await this.system(conv, texts.escalated(view?.position ?? null, view?.etaSeconds ?? null), { handoff: view });
    }
    this.announce(h.department);
    await this.schedule(h.id, now + this.d.settings.offerAfterMs.get(h.department));
  }

  /**
   * Makes Redis agree with the database, the record of truth: every waiting handoff is on its
   * queue (after a Redis restart or an API restart with the in-memory queue), pending ones are
   * enqueued and their citizens told, entries whose handoff is no longer waiting are dropped,
   * and every open handoff has its timer. Safe to run anywhere, any number of times at once.
   */
  async sync(): Promise<{ queued: number; resumed: number; dropped: number }> {
    if (!this.d.queue.available()) return { queued: 0, resumed: 0, dropped: 0 };
    // The queues first, then the database: an entry listed here was added before the rows are read.
    const listed = new Map<string, QueueEntry[]>();
    for (const d of this.d.departments()) listed.set(d, await this.d.queue.list(d));
    const open = await this.d.store.list(OPEN_STATUSES);
    const waiting = new Map(open.filter((h) => h.status === 'waiting').map((h) => [h.id, h]));
    let queued = 0;
    let resumed = 0;
    let dropped = 0;
    const touched = new Set<string>();
    for (const [dept, entries] of listed) {
      for (const e of entries) {
        const h = waiting.get(e.handoffId);
        if (!h || h.department !== dept) {
          await this.d.queue.remove(dept, e.handoffId);
          dropped++;
          touched.add(dept);
        }
      }
    }
    const s = this.d.settings;
    for (const h of open) {
      if (h.status === 'waiting') {
        if (!(listed.get(h.department) ?? []).some((e) => e.handoffId === h.id)) {
          await this.d.queue.add(entryOf(h));
          queued++;
          touched.add(h.department);
        }
        const due = !h.escalatedAt ? (h.queuedAt ?? h.requestedAt) + s.maxWaitMs.get(h.department) : !h.offeredAt ? h.escalatedAt + s.offerAfterMs.get(h.department) : null;
        if (due !== null) await this.schedule(h.id, due);
      } else if (h.status === 'pending') {
        const now = this.now();
        if (!(await this.d.store.patch(h.id, { status: 'waiting', queued_at: now }, ['pending']))) continue;
        const up: HandoffRecord = { ...h, status: 'waiting', queuedAt: now };
        if (await this.enqueue(up)) {
          resumed++;
          const conv = await this.d.records.getConversation(h.conversationId);
          const view = await this.view(up);
          if (conv) {
            await this.system(conv, texts.resumed(view?.position ?? null, view?.etaSeconds ?? null), { handoff: view });
            await this.citizenEvent(conv.id, { type: 'handoff', handoff: view });
          }
        }
      } else {
        await this.schedule(h.id, (h.activityAt ?? h.claimedAt ?? h.requestedAt) + s.idleCloseMs);
      }
    }
    for (const d of touched) this.announce(d);
    if (queued || resumed || dropped) this.d.logger.info({ queued, resumed, dropped }, 'handoff queues reconciled with the database');
    return { queued, resumed, dropped };
  }

  // ---------------------------------------------------------------- helpers

  /** The handoff as the citizen's reply shows it, with place in the queue and estimated wait. */
  async view(h: HandoffRecord): Promise<HandoffView | null> {
    const base = { department: h.department, position: null, etaSeconds: null };
    switch (h.status) {
      case 'waiting': {
        const position = await this.d.queue.position(h.department, h.id).catch(() => null);
        const etaSeconds = position === null ? null : await this.estimator.eta(h.department, position).catch(() => null);
        return { status: 'waiting', department: h.department, position, etaSeconds };
      }
      case 'pending':
        return { ...base, status: 'waiting', leftMessage: true };
      case 'message':
        return { ...base, status: 'waiting' };
      case 'staff':
        return { ...base, status: 'staff' };
      case 'left_message':
        return { ...base, status: 'closed', leftMessage: true };
      case 'closed':
        return { ...base, status: 'closed' };
      default:
        return null;
    }
  }

  /** Tells every citizen waiting in a department their new place (coalesced per department). */
  announce(department: string): void {
    if (this.announcing.has(department)) {
      this.announceAgain.add(department);
      return;
    }
    const run = (async () => {
      do {
        this.announceAgain.delete(department);
        const entries = await this.d.queue.list(department);
        const perPlace = await this.estimator.perPlace(department);
        // Only those whose place changed since this instance last told them (an arrival at the
        // back of the queue moves nobody; a claim moves those behind it).
        const last = this.announced.get(department) ?? new Map<string, number>();
        const now = new Map<string, number>();
        const changed = entries.filter((e, i) => (now.set(e.conversationId, i + 1), last.get(e.conversationId) !== i + 1));
        this.announced.set(department, now);
        await Promise.all(
          changed.map((e) => {
            const position = now.get(e.conversationId)!;
            return this.citizenEvent(e.conversationId, {
              type: 'handoff',
              handoff: { status: 'waiting', department, position, etaSeconds: Math.max(30, Math.round(position * perPlace)) },
            });
          }),
        );
      } while (this.announceAgain.has(department));
    })()
      .catch((err: unknown) => this.d.logger.warn({ err, department }, 'could not announce queue positions'))
      .finally(() => this.announcing.delete(department));
    this.announcing.set(department, run);
  }

  /** Waits for position announcements in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.announcing.size) await Promise.all([...this.announcing.values()]);
  }

  private async schedule(handoffId: string, dueAt: number): Promise<void> {
    try {
      await this.d.timers.schedule(handoffId, dueAt);
    } catch (err) {
      // The sweep sets it again once Redis answers.
      this.d.logger.warn({ err, handoffId }, 'could not set a handoff timer');
    }
  }

  /** Records a system message in the conversation and sends it to the citizen. */
  private async system(conv: Conversation, text: string, payload: Record<string, unknown>): Promise<StoredMessage> {
    const msg = await this.d.records.addMessage({ conversationId: conv.id, role: 'system', type: 'notice', text, payload });
    await this.toCitizen(conv, msg);
    return msg;
  }

  private async toCitizen(conv: Conversation, msg: StoredMessage): Promise<void> {
    const message = citizenMessage(msg);
    await this.citizenEvent(conv.id, { type: 'message', message });
    const out: OutboundEvent = { conversationId: conv.id, channel: conv.channel, contact: conv.contact, message };
    await this.publish(topics.outbound, out);
  }

  private citizenEvent(conversationId: string, e: CitizenEvent): Promise<void> {
    return this.publish(topics.conversation(conversationId), e);
  }

  private staffEvent(e: StaffEvent): Promise<void> {
    return this.publish(topics.staff, e);
  }

  private async publish(topic: string, e: unknown): Promise<void> {
    try {
      await this.d.events.publish(topic, e);
    } catch (err) {
      // Events are best effort: the message is stored, clients catch up from the database.
      this.d.logger.warn({ err: { message: (err as Error).message }, topic: topic.split(':')[0] }, 'event not delivered');
    }
  }

  private async session(conv: Conversation): Promise<SessionState | null> {
    return conv.state ? (JSON.parse(conv.state) as SessionState) : null;
  }

  /** Changes the citizen's session state from outside a turn (live store and the record). */
  private async patchSession(conv: Conversation, fn: (s: SessionState) => void): Promise<void> {
    try {
      const stored = conv.state ? (JSON.parse(conv.state) as SessionState) : null;
      if (!stored) return;
      const live = (await this.d.sessions.get(stored.id).catch(() => null)) ?? stored;
      fn(live);
      await this.d.sessions.save(live).catch(() => {});
      await this.d.records.updateConversation(conv.id, { state: JSON.stringify(live) });
    } catch (err) {
      this.d.logger.warn({ err, conversationId: conv.id }, 'could not update the session state');
    }
  }
}

export function entryOf(h: HandoffRecord): QueueEntry {
  return {
    handoffId: h.id,
    conversationId: h.conversationId,
    channel: h.channel,
    department: h.department,
    reason: h.reason,
    priority: h.priority,
    summary: h.summary,
    requestedAt: h.requestedAt,
  };
}

const HELP = /人工|客服|工作人员|帮(我|帮|忙)|联系我|回电|打电话|给我电话|找人|处理一下|怎么办|没解决|解决不了|不会弄|弄不好|办不了|投诉|请.{0,6}(联系|回复|处理)/;

/** A 不满意 / 非常不满意 rating (1–2) whose comment asks for a person or for help. */
export function ratingAsksForHelp(level: number, comment?: string | null): boolean {
  return level <= 2 && !!comment && HELP.test(comment);
}

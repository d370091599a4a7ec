import { AppError } from '../platform/errors.js';

/**
 * The conversation's handoff state (conversations.status): `bot -> waiting -> staff -> closed`,
 * `waiting -> bot` when the citizen cancels, `waiting -> closed` when the wait ends in a left
 * message. "waiting" covers every way a handoff can be under way before a person holds it: in
 * the queue, stored while Redis is away (pending), or collecting a left message.
 */
export const CONVERSATION_STATES = ['bot', 'waiting', 'staff', 'closed'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

export type HandoffEvent =
  /** The citizen (or a trigger) asks for a person. A closed conversation may ask again. */
  | 'request'
  /** The citizen stops waiting. */
  | 'cancel'
  /** A member of staff takes the conversation. */
  | 'claim'
  /** To another department's queue, from the queue or from a member of staff. */
  | 'transfer'
  /** Staff (or the idle timeout) end the conversation, or staff dismiss a waiting one. */
  | 'close'
  /** The wait ends with a left message and a phone number for a call back. */
  | 'leave_message';

const TRANSITIONS: Record<HandoffEvent, Partial<Record<ConversationState, ConversationState>>> = {
  request: { bot: 'waiting', closed: 'waiting' },
  cancel: { waiting: 'bot' },
  claim: { waiting: 'staff' },
  transfer: { waiting: 'waiting', staff: 'waiting' },
  close: { staff: 'closed', waiting: 'closed' },
  leave_message: { waiting: 'closed' },
};

const EVENT_TEXT: Record<HandoffEvent, string> = {
  request: '转人工',
  cancel: '取消排队',
  claim: '接入',
  transfer: '转接',
  close: '结束',
  leave_message: '留言',
};
const STATE_TEXT: Record<ConversationState, string> = { bot: '智能助手服务中', waiting: '排队中', staff: '人工服务中', closed: '已结束' };

/** A transition the state machine does not allow; answered as 409 by the API. */
export class IllegalTransitionError extends AppError {
  constructor(
    readonly from: string,
    readonly event: HandoffEvent,
  ) {
    super(409, 'illegal_transition', `会话${STATE_TEXT[from as ConversationState] ?? `处于 ${from} 状态`}，不能${EVENT_TEXT[event]}`, { from, event });
    this.name = 'IllegalTransitionError';
  }
}

export function isConversationState(s: string): s is ConversationState {
  return (CONVERSATION_STATES as readonly string[]).includes(s);
}

/** The state after `event`, or throws IllegalTransitionError. */
export function nextState(from: string, event: HandoffEvent): ConversationState {
  const to = isConversationState(from) ? TRANSITIONS[event][from] : undefined;
  if (!to) throw new IllegalTransitionError(from, event);
  return to;
}

export function canTransition(from: string, event: HandoffEvent): boolean {
  return isConversationState(from) && TRANSITIONS[event][from] !== undefined;
}

/** The states `event` may start from: the WHERE of the conditional UPDATE that makes it atomic. */
export function statesAllowing(event: HandoffEvent): ConversationState[] {
  return Object.keys(TRANSITIONS[event]) as ConversationState[];
}

/**
 * A handoff's own status (handoffs.status). One conversation may have several handoffs over its
 * life; the latest one is the conversation's current handoff.
 */
export type HandoffStatus =
  /** Stored while Redis was away; enqueued when it returns. */
  | 'pending'
  /** In the department's queue. */
  | 'waiting'
  /** Outside staffed hours: the citizen was offered to leave a message and is writing it. */
  | 'message'
  | 'staff'
  | 'closed'
  | 'cancelled'
  /** Ended with a left message (and phone) for a call back. */
  | 'left_message';

/** Handoff statuses while the conversation is "waiting". */
export const WAITING_STATUSES: HandoffStatus[] = ['pending', 'waiting', 'message'];
/** Handoff statuses that are still open (someone has to act). */
export const OPEN_STATUSES: HandoffStatus[] = ['pending', 'waiting', 'message', 'staff'];

export type HandoffReason = 'handoff' | 'no_answer' | 'complaint' | 'rating';

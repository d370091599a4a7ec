import type { HandoffView } from '../dialogue/reply.js';
import type { StoredMessage } from '../records/store.js';
import type { HandoffSummary } from './queue.js';
import type { HandoffReason } from './state.js';

/** A message as the citizen sees it (GET /api/sessions/:id/messages, SSE "message"). */
export interface CitizenMessage {
  id: string;
  role: 'citizen' | 'bot' | 'staff' | 'system';
  type: string | null;
  text: string;
  /** The member of staff's display name on staff messages. */
  author: string | null;
  createdAt: number;
  citations?: unknown[];
  suggestions?: string[];
  ratingRequested?: boolean;
  handoff?: HandoffView | null;
}

export function citizenMessage(m: StoredMessage): CitizenMessage {
  const p = m.payload ?? {};
  const out: CitizenMessage = {
    id: m.id,
    role: m.role,
    type: m.type,
    text: m.text,
    author: m.role === 'staff' ? ((p.authorName as string | undefined) ?? '工作人员') : null,
    createdAt: m.createdAt,
  };
  if (m.role === 'bot') {
    out.citations = (p.citations as unknown[] | undefined) ?? [];
    out.suggestions = (p.suggestions as string[] | undefined) ?? [];
  }
  if (p.ratingRequested) out.ratingRequested = true;
  if (p.handoff !== undefined) out.handoff = p.handoff as HandoffView | null;
  return out;
}

/** A message in the staff transcript: everything, with what the bot's answer rested on. */
export interface StaffMessage extends CitizenMessage {
  authorId: string | null;
  intent: string | null;
  evidence: unknown;
  form?: unknown;
}

export function staffMessage(m: StoredMessage, guideTitle: (id: string) => string | undefined): StaffMessage {
  const base = citizenMessage(m);
  const out: StaffMessage = { ...base, authorId: m.author, intent: m.intent, evidence: enrichEvidence(m.evidence, guideTitle) };
  if (m.role === 'bot' && m.payload?.form) out.form = m.payload.form;
  return out;
}

/** Adds guide titles to the stored evidence (chunk ids and scores) so staff can read it at a glance. */
function enrichEvidence(evidence: unknown, guideTitle: (id: string) => string | undefined): unknown {
  if (!evidence || typeof evidence !== 'object') return evidence ?? null;
  const e = evidence as { chunks?: Array<{ guideId?: string }>; guideId?: string | null };
  return {
    ...e,
    ...(e.guideId ? { guideTitle: guideTitle(e.guideId) ?? null } : {}),
    ...(Array.isArray(e.chunks) ? { chunks: e.chunks.map((c) => ({ ...c, guideTitle: c.guideId ? (guideTitle(c.guideId) ?? null) : null })) } : {}),
  };
}

/** One waiting conversation in GET /api/staff/queue (and in "queue" events). */
export interface QueueItem {
  conversationId: string;
  handoffId: string;
  department: string;
  reason: HandoffReason;
  priority: number;
  waitingSeconds: number;
  summary: HandoffSummary;
  channel: string;
  requestedAt: number;
  /** 1-based place in its department's queue; null when Redis is away and the list comes from the database. */
  position: number | null;
}

export type CitizenEvent = { type: 'message'; message: CitizenMessage } | { type: 'handoff'; handoff: HandoffView | null };

export type QueueAction = 'added' | 'removed' | 'claimed' | 'transferred' | 'escalated' | 'cancelled' | 'closed' | 'left_message';

export type StaffEvent =
  | {
      type: 'queue';
      action: QueueAction;
      conversationId: string;
      department: string;
      item?: QueueItem;
      by?: string | null;
      to?: string;
      from?: string;
    }
  | { type: 'message'; conversationId: string; department: string; assignedTo: string | null; message: CitizenMessage };

/** What a channel adapter (WeChat) needs to deliver a staff or system message to the citizen. */
export interface OutboundEvent {
  conversationId: string;
  channel: string;
  contact: string | null;
  message: CitizenMessage;
}

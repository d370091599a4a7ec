import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types of the record store (SQLite and PostgreSQL alike). Times are epoch milliseconds. */
export interface ConversationsTable {
  id: string;
  /** sha256 of the citizen's session id: finds the conversation again without storing the secret. */
  session_key: string;
  channel: string;
  /** Handoff state: bot -> waiting -> staff -> closed. */
  status: string;
  department: string | null;
  guide_id: string | null;
  /** The dialogue's session state, so a restart loses nothing. */
  state: string | null;
  /** Channel address (e.g. a WeChat contact id) for outbound messages. */
  contact: string | null;
  assigned_to: string | null;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  conversation_id: string;
  /** citizen | bot | staff | system */
  role: string;
  author: string | null;
  /** Reply type for bot messages (answer, no_answer, form …). */
  type: string | null;
  text: string;
  /** JSON: citations, suggestions, blocks, form, handoff of a bot reply. */
  payload: string | null;
  /** JSON: what retrieval found for a bot reply (chunks, scores, confidence, reason). */
  evidence: string | null;
  intent: string | null;
  created_at: number;
}

export interface FormDraftsTable {
  id: string;
  conversation_id: string;
  form_id: string;
  guide_id: string | null;
  /** JSON: field name -> value. */
  data: string;
  /** open | complete | confirmed | cancelled */
  status: string;
  created_at: number;
  updated_at: number;
  confirmed_at: number | null;
}

export interface HandoffsTable {
  id: string;
  conversation_id: string;
  department: string;
  reason: string;
  priority: number;
  /** JSON summary: last questions, guide, form draft. */
  summary: string;
  /** waiting | staff | closed | cancelled | left_message */
  status: string;
  channel: string;
  requested_at: number;
  claimed_at: number | null;
  claimed_by: string | null;
  closed_at: number | null;
  closed_by: string | null;
  /** A left message and phone number for a call back, when nobody could take it. */
  left_message: string | null;
  callback_phone: string | null;
  note: string | null;
  /** Added by src/handoff/migrations.ts: entered the current queue, escalated, left message offered, last message. */
  queued_at: number | null;
  escalated_at: number | null;
  offered_at: number | null;
  activity_at: number | null;
}

export interface RatingsTable {
  id: string;
  conversation_id: string;
  message_id: string | null;
  level: number;
  comment: string | null;
  department: string | null;
  created_at: number;
  updated_at: number;
}

export interface FollowupsTable {
  id: string;
  rating_id: string;
  conversation_id: string;
  department: string | null;
  /** open | closed */
  status: string;
  due_at: number;
  action: string | null;
  answer: string | null;
  handled_by: string | null;
  created_at: number;
  closed_at: number | null;
}

export interface StaffTable {
  id: string;
  username: string;
  display_name: string | null;
  password_hash: string;
  /** agent | admin */
  role: string;
  /** JSON array of departments. */
  departments: string;
  disabled: number;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface AuditTable {
  seq: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** JSON details, personal data masked. */
  details: string | null;
  ip: string | null;
}

export interface UnansweredTable {
  id: string;
  conversation_id: string | null;
  message_id: string | null;
  /** The question with personal data masked. */
  question: string;
  /** Normalised text used to group similar questions. */
  normalized: string;
  /** no_answer | low_rating */
  reason: string;
  guide_id: string | null;
  created_at: number;
}

export interface CannedRepliesTable {
  id: string;
  department: string;
  text: string;
  created_at: number;
  /** Added by the console migration: a short label, when it was last changed and by whom. */
  title: string | null;
  updated_at: number | null;
  updated_by: string | null;
}

export interface Database {
  conversations: ConversationsTable;
  messages: MessagesTable;
  form_drafts: FormDraftsTable;
  handoffs: HandoffsTable;
  ratings: RatingsTable;
  followups: FollowupsTable;
  staff: StaffTable;
  audit_log: AuditTable;
  unanswered: UnansweredTable;
  canned_replies: CannedRepliesTable;
}

export type Conversation = Selectable<ConversationsTable>;
export type NewConversation = Insertable<ConversationsTable>;
export type ConversationUpdate = Updateable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type DraftRow = Selectable<FormDraftsTable>;
export type HandoffRow = Selectable<HandoffsTable>;
export type RatingRow = Selectable<RatingsTable>;
export type FollowupRow = Selectable<FollowupsTable>;
export type StaffRow = Selectable<StaffTable>;
export type AuditRow = Selectable<AuditTable>;
export type UnansweredRow = Selectable<UnansweredTable>;

export interface StaffSessionsTable {
  /** The token's session id (jti). */
  id: string;
  staff_id: string;
  created_at: number;
  expires_at: number;
  /** Set by logout, disable or password reset: the token stops working everywhere. */
  revoked_at: number | null;
  ip: string | null;
}

export interface StaffTable {
  /** Added by the staff migration. */
  last_login_at: number | null;
}

export interface Database {
  staff_sessions: StaffSessionsTable;
}

/** Keys made on first use and shared through the database (src/channels/wechat). */
export interface ChannelSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

/** What happened to a message sent to a WeChat contact outside a reply (src/channels/wechat). */
export interface WechatDeliveriesTable {
  message_id: string;
  conversation_id: string;
  /** wechat (the Wechaty bot) | wechat-mp (the Official Account) */
  channel: string;
  /** queued | sent | failed */
  status: string;
  parts: number;
  attempts: number;
  /** WeChat's errcode (45015 …) or a short code of ours. */
  error_code: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface Database {
  channel_secrets: ChannelSecretsTable;
  wechat_deliveries: WechatDeliveriesTable;
}

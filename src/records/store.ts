import type { Kysely } from 'kysely';
import type { Dialect } from './migrations.js';
import { boundColumns, CompiledStatements } from './statements.js';
import { newConversation, newId, sessionKey } from './ids.js';
import type { Conversation, ConversationUpdate, Database, DraftRow, MessageRow } from './schema.js';

export interface NewMessage {
  /** Chosen by the caller that must name the message before it is stored (newId('m')); made here otherwise. */
  id?: string;
  conversationId: string;
  role: 'citizen' | 'bot' | 'staff' | 'system';
  text: string;
  author?: string | null;
  type?: string | null;
  payload?: unknown;
  evidence?: unknown;
  intent?: string | null;
  at?: number;
}

export interface StoredMessage {
  id: string;
  seq: number;
  conversationId: string;
  role: NewMessage['role'];
  author: string | null;
  type: string | null;
  text: string;
  payload: Record<string, unknown> | null;
  evidence: unknown;
  intent: string | null;
  createdAt: number;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(v: string | null): T | null => (v ? (JSON.parse(v) as T) : null);

export function toMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    seq: Number(r.seq),
    conversationId: r.conversation_id,
    role: r.role as NewMessage['role'],
    author: r.author,
    type: r.type,
    text: r.text,
    payload: parse(r.payload),
    evidence: parse(r.evidence),
    intent: r.intent,
    createdAt: Number(r.created_at),
  };
}

/** A new message's row, as the SQL records and the edge's batches store it. */
export function messageRow(m: NewMessage) {
  return {
    id: m.id ?? newId('m'),
    conversation_id: m.conversationId,
    role: m.role,
    author: m.author ?? null,
    type: m.type ?? null,
    text: m.text,
    payload: json(m.payload),
    evidence: json(m.evidence),
    intent: m.intent ?? null,
    created_at: m.at ?? Date.now(),
  };
}

/** The message as stored: the values given, not the JSON just written parsed back (a bot message's evidence is kilobytes). */
export function storedMessage(m: NewMessage, row: ReturnType<typeof messageRow>, seq: number): StoredMessage {
  return {
    id: row.id,
    seq,
    conversationId: row.conversation_id,
    role: m.role,
    author: row.author,
    type: row.type,
    text: row.text,
    payload: (m.payload ?? null) as Record<string, unknown> | null,
    evidence: m.evidence ?? null,
    intent: row.intent,
    createdAt: row.created_at,
  };
}

/**
 * Conversations, messages and form drafts: the core records every channel writes through.
 * One Kysely query layer for SQLite and PostgreSQL; no SQL is built from strings.
 */
export class ConversationRecords {
  /** The statements every chat turn makes (open the conversation, store two messages, save it), built once. */
  private readonly turn: CompiledStatements;
  /** Inserts of fresh conversations (openConversation `fresh`) whose commit their first message waits for. */
  private readonly unconfirmed = new Map<string, Promise<unknown>>();

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    this.turn = new CompiledStatements(db as unknown as Kysely<never>);
  }

  /**
   * The conversation of a session, created on its first message. `fresh`: the session id was just
   * made, so no conversation has it — nothing to look up. On SQLite the insert is not awaited here
   * either: statements run in the order they are made on its one connection, so the conversation's
   * first addMessage goes into the same commit and waits for both. (PostgreSQL's pool could run the
   * message first, on another connection, before the conversation is committed.)
   */
  async openConversation(sessionId: string, channel: string, contact?: string | null, opts: { fresh?: boolean } = {}): Promise<Conversation> {
    const key = sessionKey(sessionId);
    if (opts.fresh) {
      const row = newConversation(key, channel, contact);
      const inserted = this.insertConversation(row);
      if (this.dialect !== 'sqlite') {
        await inserted;
        return row;
      }
      this.unconfirmed.set(row.id, inserted);
      // Settled and not asked for (no message followed): forgotten; a failed insert then fails the message's foreign key.
      const forget = () => this.unconfirmed.delete(row.id);
      inserted.then(forget, forget);
      return row;
    }
    const found = await this.conversationByKey(key);
    if (found) return found;
    const row = newConversation(key, channel, contact);
    try {
      await this.insertConversation(row);
      return row;
    } catch (e) {
      // Two first messages of one session at once: the other insert won.
      const again = await this.conversationByKey(key);
      if (again) return again;
      throw e;
    }
  }

  private insertConversation(row: Conversation) {
    const { names, params } = boundColumns(row);
    return this.turn.execute(`insert conversations ${names}`, params, () => this.db.insertInto('conversations').values(row));
  }

  async conversationBySession(sessionId: string): Promise<Conversation | undefined> {
    return this.conversationByKey(sessionKey(sessionId));
  }

  private async conversationByKey(key: string): Promise<Conversation | undefined> {
    const r = await this.turn.execute('conversation by session', [key], () => this.db.selectFrom('conversations').selectAll().where('session_key', '=', key));
    return r.rows[0];
  }

  async getConversation(id: string): Promise<Conversation | undefined> {
    return this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateConversation(id: string, patch: Omit<ConversationUpdate, 'id' | 'session_key'>): Promise<void> {
    const set = { ...patch, updated_at: Date.now() };
    const { names, params } = boundColumns(set);
    await this.turn.execute(`update conversation ${names}`, [...params, id], () => this.db.updateTable('conversations').set(set).where('id', '=', id));
  }

  /** Stores a message; `touch: false` leaves the conversation's updated_at to a write that follows (the end of a chat turn). */
  async addMessage(m: NewMessage, opts: { touch?: boolean } = {}): Promise<StoredMessage> {
    const row = messageRow(m);
    const { names, params } = boundColumns(row);
    // Issued after its conversation's insert (statements reach SQLite in the order they are made).
    const insert = this.turn.execute(`insert message ${names}`, params, () => this.db.insertInto('messages').values(row).returning('seq'));
    const conversation = this.unconfirmed.get(m.conversationId);
    const inserted = conversation ? (await Promise.all([conversation, insert]))[1] : await insert;
    const seq = inserted.rows[0]!.seq;
    if (opts.touch !== false) await this.db.updateTable('conversations').set({ updated_at: row.created_at }).where('id', '=', m.conversationId).execute();
    return storedMessage(m, row, Number(seq));
  }

  /** Messages of a conversation in order, optionally only those after a message id. */
  async listMessages(conversationId: string, opts: { after?: string; limit?: number } = {}): Promise<StoredMessage[]> {
    let q = this.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
    if (opts.after) {
      const ref = await this.db.selectFrom('messages').select('seq').where('id', '=', opts.after).where('conversation_id', '=', conversationId).executeTakeFirst();
      if (ref) q = q.where('seq', '>', ref.seq);
    }
    const rows = await q.orderBy('seq').limit(opts.limit ?? 500).execute();
    return rows.map(toMessage);
  }

  async createDraft(d: { conversationId: string; formId: string; guideId: string | null; data: Record<string, string> }): Promise<DraftRow> {
    const now = Date.now();
    const row = { id: newId('d'), conversation_id: d.conversationId, form_id: d.formId, guide_id: d.guideId, data: JSON.stringify(d.data), status: 'open', created_at: now, updated_at: now, confirmed_at: null };
    await this.db.insertInto('form_drafts').values(row).execute();
    return row;
  }

  async getDraft(id: string): Promise<DraftRow | undefined> {
    return this.db.selectFrom('form_drafts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateDraft(id: string, patch: { data?: Record<string, string>; status?: string; confirmedAt?: number }): Promise<void> {
    await this.db
      .updateTable('form_drafts')
      .set({
        ...(patch.data ? { data: JSON.stringify(patch.data) } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.confirmedAt ? { confirmed_at: patch.confirmedAt } : {}),
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
  }

  async draftsOf(conversationId: string): Promise<DraftRow[]> {
    return this.db.selectFrom('form_drafts').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').execute();
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { DialogueRecords } from '../dialogue/engine.js';
import type { Logger } from '../platform/logger.js';
import { newConversation, newId, sessionKey } from '../records/ids.js';
import type { Conversation, ConversationUpdate } from '../records/schema.js';
import { messageRow, storedMessage, type NewMessage, type StoredMessage } from '../records/store.js';
import type { RecordBatch } from './batch.js';
import { inBackground } from './context.js';
import type { KVNamespace } from './workers.js';

/** Where batches go: the origin's POST /api/edge/records. Rejects when they were not stored. */
export interface RecordSink {
  postRecords(batches: RecordBatch[]): Promise<void>;
}

interface ConversationEntry {
  conversation: Conversation;
  /** Set once a turn of this conversation was handled by the origin: it owns the conversation from then on. */
  origin?: boolean;
}

const OUTBOX = 'outbox:';
const OUTBOX_TTL_SECONDS = 30 * 24 * 3600;

/**
 * The dialogue records at the edge. The edge keeps only what the next turn needs (the conversation
 * id, in KV next to the session); the record of every turn — the citizen's message, the reply
 * with its evidence, the session state — is sent to the origin, which stores it in its SQL records
 * like any other turn.
 *
 * A message accepted is not lost: the turn's batch is sent after the reply (in the background of
 * the request), and if the origin cannot be reached it is kept in a KV outbox, sent again by the
 * cron trigger and before any later turn of the conversation goes to the origin. The origin stores
 * batches idempotently (message ids are made here), so a batch sent twice is stored once.
 */
export class EdgeRecords implements DialogueRecords {
  /**
   * Turns being recorded (opened, not yet committed), by conversation id: one map per turn (see
   * runTurn), so two messages of one conversation at the same moment are two batches.
   */
  private readonly turns = new AsyncLocalStorage<Map<string, RecordBatch>>();
  private readonly shared = new Map<string, RecordBatch>();
  /** Sends in flight, by conversation id. */
  private readonly inflight = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly kv: KVNamespace,
    private readonly sink: RecordSink,
    private readonly logger: Logger,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  private get open(): Map<string, RecordBatch> {
    return this.turns.getStore() ?? this.shared;
  }

  /** Runs one dialogue turn with its own record batch. */
  runTurn<T>(fn: () => Promise<T>): Promise<T> {
    return this.turns.run(new Map(), fn);
  }

  private static convKey(sessionId: string): string {
    return `conv:${sessionKey(sessionId)}`;
  }

  private async entry(sessionId: string): Promise<ConversationEntry | null> {
    const raw = await this.kv.get(EdgeRecords.convKey(sessionId));
    return raw ? (JSON.parse(raw) as ConversationEntry) : null;
  }

  private async putEntry(sessionId: string, e: ConversationEntry): Promise<void> {
    // Outlives the session, so a live session always finds its conversation.
    await this.kv.put(EdgeRecords.convKey(sessionId), JSON.stringify(e), { expirationTtl: Math.max(120, 2 * this.ttlSeconds) });
  }

  async conversationBySession(sessionId: string): Promise<Conversation | undefined> {
    return (await this.entry(sessionId))?.conversation;
  }

  async openConversation(sessionId: string, channel: string, contact?: string | null): Promise<Conversation> {
    let conversation = (await this.entry(sessionId))?.conversation;
    if (!conversation) {
      conversation = newConversation(sessionKey(sessionId), channel, contact);
      await this.putEntry(sessionId, { conversation });
    }
    if (!this.open.has(conversation.id)) {
      const { id, session_key, channel: ch, contact: ct, created_at } = conversation;
      this.open.set(conversation.id, { v: 1, conversation: { id, session_key, channel: ch, contact: ct, created_at }, messages: [], update: null, at: 0 });
    }
    return conversation;
  }

  async addMessage(m: NewMessage): Promise<StoredMessage> {
    const batch = this.open.get(m.conversationId);
    if (!batch) throw new Error(`conversation ${m.conversationId} is not open at the edge`);
    const full = messageRow(m);
    const { conversation_id: _conversation, ...row } = full;
    batch.messages.push(row);
    return storedMessage(m, full, batch.messages.length);
  }

  /** The engine's last write of a turn: the turn is complete and its batch is sent. */
  async updateConversation(id: string, patch: Omit<ConversationUpdate, 'id' | 'session_key'>): Promise<void> {
    const batch = this.open.get(id);
    if (!batch) return;
    batch.update = {
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      ...(patch.guide_id !== undefined ? { guide_id: patch.guide_id } : {}),
    };
    this.commit(id);
  }

  /** Sends what a turn recorded so far (a turn that failed half-way still keeps the citizen's message). */
  commit(conversationId: string): void {
    const batch = this.open.get(conversationId);
    if (!batch) return;
    this.open.delete(conversationId);
    if (!batch.messages.length && !batch.update) return;
    batch.at = Date.now();
    const p = this.send(batch);
    let set = this.inflight.get(conversationId);
    if (!set) this.inflight.set(conversationId, (set = new Set()));
    set.add(p);
    void p.finally(() => {
      set.delete(p);
      if (!set.size) this.inflight.delete(conversationId);
    });
    inBackground(p);
  }

  /** Forgets a turn that another party (the origin) will record instead. */
  discard(conversationId: string): void {
    this.open.delete(conversationId);
  }

  /** Sends a batch; never rejects: what the origin did not take goes to the outbox. */
  private async send(batch: RecordBatch): Promise<void> {
    try {
      await this.sink.postRecords([batch]);
    } catch (e) {
      this.logger.warn({ err: e, conversationId: batch.conversation.id }, 'origin did not take the turn records; kept in the outbox');
      await this.keep(batch);
    }
  }

  private async keep(batch: RecordBatch): Promise<void> {
    const key = `${OUTBOX}${batch.conversation.id}:${batch.at.toString(36).padStart(10, '0')}:${newId('b')}`;
    try {
      await this.kv.put(key, JSON.stringify(batch), { expirationTtl: OUTBOX_TTL_SECONDS });
    } catch (e) {
      // Nothing else can hold it: say so loudly (the message text stays out of the log).
      this.logger.error({ err: e, conversationId: batch.conversation.id, messages: batch.messages.map((m) => m.id) }, 'turn records lost: origin and outbox both failed');
    }
  }

  /** The conversation id when the origin owns this session's conversation (a handoff or form started there). */
  async ownedByOrigin(sessionId: string): Promise<string | null> {
    const e = await this.entry(sessionId);
    return e?.origin ? e.conversation.id : null;
  }

  async markOrigin(sessionId: string): Promise<void> {
    const e = await this.entry(sessionId);
    if (e && !e.origin) await this.putEntry(sessionId, { ...e, origin: true });
  }

  /**
   * Makes sure the origin has every earlier turn of a conversation (sends in flight, then the
   * outbox), before one of its turns is handed to the origin. Rejects if the origin does not take them.
   */
  async deliver(conversationId: string): Promise<void> {
    await Promise.all([...(this.inflight.get(conversationId) ?? [])]);
    const keys = await this.outboxKeys(`${OUTBOX}${conversationId}:`);
    await this.sendKept(keys, true);
  }

  /** Sends every kept batch (the cron trigger); stops at the first failure, as the origin is likely down. */
  async drainOutbox(max = 500): Promise<{ sent: number; left: number }> {
    const keys = await this.outboxKeys(OUTBOX, max);
    const sent = await this.sendKept(keys, false);
    return { sent, left: keys.length - sent };
  }

  /** Waits for every send in flight (tests, and the end of a cron run). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight.values()].flatMap((s) => [...s]));
  }

  private async outboxKeys(prefix: string, max = 1000): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.list({ prefix, cursor, limit: Math.min(1000, max - keys.length) });
      keys.push(...page.keys.map((k) => k.name));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor && keys.length < max);
    return keys.sort();
  }

  /** Sends kept batches in key order (per conversation, oldest first), deleting each once stored. */
  private async sendKept(keys: string[], throwOnFailure: boolean): Promise<number> {
    let sent = 0;
    for (const key of keys) {
      const raw = await this.kv.get(key);
      if (!raw) continue; // sent by another run meanwhile
      try {
        await this.sink.postRecords([JSON.parse(raw) as RecordBatch]);
      } catch (e) {
        if (throwOnFailure) throw e;
        this.logger.warn({ err: e, left: keys.length - sent }, 'outbox: origin still not taking records');
        return sent;
      }
      await this.kv.delete(key);
      sent++;
    }
    return sent;
  }
}

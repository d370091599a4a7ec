import type { Kysely } from 'kysely';
import type { Database } from '../../records/schema.js';
import type { OutboundJob } from './outbound.js';

export type DeliveryStatus = 'queued' | 'sent' | 'failed';

export interface Delivery {
  messageId: string;
  conversationId: string;
  channel: string;
  status: DeliveryStatus;
  parts: number;
  attempts: number;
  errorCode: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

/**
 * What happened to each message sent to a WeChat contact (table wechat_deliveries). Recording a
 * message as queued is also how a message is queued once: of several processes hearing the same
 * event, one inserts the row and queues it.
 */
export class DeliveryLog {
  constructor(private readonly db: Kysely<Database>) {}

  /** True when the message was not known: the caller queues it. */
  async queued(job: OutboundJob): Promise<boolean> {
    const now = Date.now();
    const r = await this.db
      .insertInto('wechat_deliveries')
      .values({ message_id: job.id, conversation_id: job.conversationId, channel: job.channel, status: 'queued', parts: job.parts.length, attempts: 0, error_code: null, error: null, created_at: now, updated_at: now, sent_at: null })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async attempted(messageId: string, attempts: number, error: { code: string; message: string }): Promise<void> {
    await this.db.updateTable('wechat_deliveries').set({ attempts, error_code: error.code, error: error.message.slice(0, 500), updated_at: Date.now() }).where('message_id', '=', messageId).execute();
  }

  async sent(messageId: string, attempts: number): Promise<void> {
    const now = Date.now();
    await this.db.updateTable('wechat_deliveries').set({ status: 'sent', attempts, error_code: null, error: null, updated_at: now, sent_at: now }).where('message_id', '=', messageId).execute();
  }

  async failed(messageId: string, attempts: number, error: { code: string; message: string }): Promise<void> {
    await this.db
      .updateTable('wechat_deliveries')
      .set({ status: 'failed', attempts, error_code: error.code, error: error.message.slice(0, 500), updated_at: Date.now() })
      .where('message_id', '=', messageId)
      .execute();
  }

  async get(messageId: string): Promise<Delivery | null> {
    const r = await this.db.selectFrom('wechat_deliveries').selectAll().where('message_id', '=', messageId).executeTakeFirst();
    return r ? toDelivery(r) : null;
  }

  async ofConversation(conversationId: string): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('wechat_deliveries').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at').execute();
    return rows.map(toDelivery);
  }
}

function toDelivery(r: Database['wechat_deliveries']): Delivery {
  return {
    messageId: r.message_id,
    conversationId: r.conversation_id,
    channel: r.channel,
    status: r.status as DeliveryStatus,
    parts: Number(r.parts),
    attempts: Number(r.attempts),
    errorCode: r.error_code,
    error: r.error,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
  };
}


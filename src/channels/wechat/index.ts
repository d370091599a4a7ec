/**
 * The WeChat channel: the Wechaty bot (bot.ts, `npm run wechat`) and the Official Account
 * webhook (mp.ts, /api/wechat/mp), over the one dialogue engine. This module wires what both
 * share: session ids per contact, the outbound queues and the bridge that fills them from the
 * handoff's `outbound` events, the delivery log, and the Official Account's API client.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import { topics, type EventBus } from '../../handoff/events.js';
import type { OutboundEvent } from '../../handoff/views.js';
import type { Logger } from '../../platform/logger.js';
import type { RedisConnections } from '../../platform/redis.js';
import type { Database } from '../../records/schema.js';
import { ContactSessions, MP_CHANNEL, WECHATY_CHANNEL, type WechatChannelName } from './contacts.js';
import { layoutMessage } from './layout.js';
import { AccessTokens, CustomerService, MemoryTokenCache, RedisTokenCache } from './mp-api.js';
import { MemoryMsgDedupe, RedisMsgDedupe, type MsgDedupe } from './mp-dedupe.js';
import { DEFAULT_RETRY, DeliveryLog, MemoryOutboundQueue, PermanentDeliveryError, type OutboundJob, type OutboundQueue, type RetryPolicy } from './outbound.js';

export { ContactSessions, MP_CHANNEL, WECHATY_CHANNEL, type WechatChannelName } from './contacts.js';
export { DeliveryLog, MemoryOutboundQueue, PermanentDeliveryError, type OutboundJob, type OutboundQueue, type OutboundSender } from './outbound.js';
export { layoutMessage, layoutReply, splitUnits, WECHAT_TEXT_MAX_BYTES } from './layout.js';
export { wechatMpRoutes } from './mp.js';

export interface WechatChannel {
  contacts: ContactSessions;
  deliveries: DeliveryLog;
  /** Producers of the outbound queues, one per channel (BullMQ with Redis, else in process). */
  queues: Record<WechatChannelName, OutboundQueue>;
  /** Without Redis, the in-process queues, to attach their senders to (the bot attaches itself). */
  memory: Record<WechatChannelName, MemoryOutboundQueue> | null;
  mp: {
    dedupe: MsgDedupe;
    /** Null unless WECHAT_MP_APPID and WECHAT_MP_SECRET are set. */
    tokens: AccessTokens | null;
    customerService: CustomerService | null;
  };
  /** PUBLIC_URL, the base of the links sent to WeChat. */
  publicUrl: string;
  /**
   * Queues a message for a contact. For the Official Account without customer-service
   * credentials it is recorded as failed (not_configured) instead. False: queued before.
   */
  deliver(job: OutboundJob): Promise<boolean>;
  /** Resolves once the bridge listens to the handoff's outbound events. */
  ready(): Promise<void>;
  /** Work that outlives a request (an answer still being written): waited for on close. */
  track(p: Promise<unknown>): void;
  close(): Promise<void>;
}

export interface WechatChannelOptions {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  redis: RedisConnections | null;
  /** The handoff's event bus: staff replies and notices arrive on its `outbound` topic. */
  events: EventBus;
  retry?: RetryPolicy;
}

export async function createWechatChannel(o: WechatChannelOptions): Promise<WechatChannel> {
  const logger = o.logger.child({ capability: 'wechat' });
  const { config, redis } = o;
  const contacts = await ContactSessions.open(o.db, config.GOVCHAT_SECRET);
  const deliveries = new DeliveryLog(o.db);
  const retry = o.retry ?? DEFAULT_RETRY;
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;

  let tokens: AccessTokens | null = null;
  let customerService: CustomerService | null = null;
  if (config.WECHAT_MP_APPID && config.WECHAT_MP_SECRET) {
    const cache = redis ? new RedisTokenCache(redis.command, redis.prefix, config.WECHAT_MP_APPID) : new MemoryTokenCache();
    tokens = new AccessTokens({ base: config.WECHAT_API_BASE, appId: config.WECHAT_MP_APPID, secret: config.WECHAT_MP_SECRET, cache, logger });
    customerService = new CustomerService(tokens, { base: config.WECHAT_API_BASE });
  } else if (config.WECHAT_MP_TOKEN) {
    logger.warn('WECHAT_MP_APPID / WECHAT_MP_SECRET not set: the Official Account answers only within its 5-second reply; staff replies, slow and long answers cannot be sent');
  }
  if (config.WECHAT_MP_TOKEN && !config.PUBLIC_URL) logger.warn({ publicUrl }, 'PUBLIC_URL not set: links sent to WeChat point to localhost');

  let memory: WechatChannel['memory'] = null;
  let queues: WechatChannel['queues'];
  if (redis) {
    // bullmq is loaded only with Redis.
    const { BullOutboundQueue } = await import('./outbound-bullmq.js');
    queues = {
      [WECHATY_CHANNEL]: new BullOutboundQueue(redis, WECHATY_CHANNEL, deliveries, logger, retry),
      [MP_CHANNEL]: new BullOutboundQueue(redis, MP_CHANNEL, deliveries, logger, retry),
    };
  } else {
    memory = {
      [WECHATY_CHANNEL]: new MemoryOutboundQueue({ channel: WECHATY_CHANNEL, deliveries, logger, retry }),
      [MP_CHANNEL]: new MemoryOutboundQueue({ channel: MP_CHANNEL, deliveries, logger, retry }),
    };
    queues = memory;
    // Without Redis this process sends the Official Account's messages itself.
    if (customerService) memory[MP_CHANNEL].attach(customerService);
  }
  const dedupe: MsgDedupe = redis ? new RedisMsgDedupe(redis.command, redis.prefix) : new MemoryMsgDedupe();

  const deliver = async (job: OutboundJob): Promise<boolean> => {
    if (job.channel === MP_CHANNEL && !customerService) {
      if (!(await deliveries.queued(job))) return false;
      const e = new PermanentDeliveryError('not_configured', 'WECHAT_MP_APPID / WECHAT_MP_SECRET are not set');
      logger.warn({ messageId: job.id }, 'message for an Official Account user not sent: customer-service messages are not configured');
      await deliveries.failed(job.id, 0, { code: e.code, message: e.message });
      return true;
    }
    return queues[job.channel].enqueue(job);
  };

  // The bridge: staff replies and handoff notices for WeChat conversations, to their queue.
  const onEvent = (event: unknown) => {
    const e = event as OutboundEvent;
    if (e?.channel !== WECHATY_CHANNEL && e?.channel !== MP_CHANNEL) return;
    if (!e.contact || !e.message?.id) {
      logger.warn({ conversationId: e.conversationId }, 'outbound message for a WeChat conversation without a contact; not sent');
      return;
    }
    const parts = layoutMessage(e.message, { publicUrl });
    if (!parts.length) return;
    const job: OutboundJob = { id: e.message.id, channel: e.channel, conversationId: e.conversationId, contact: e.contact, parts };
    track(deliver(job).catch((err: unknown) => logger.warn({ err: { message: (err as Error).message }, messageId: job.id }, 'outbound message not queued')));
  };
  let unsubscribe: (() => Promise<void>) | null = null;
  const listening = o.events
    .subscribe(topics.outbound, onEvent)
    .then((u) => {
      unsubscribe = u;
    })
    .catch((err: unknown) => logger.warn({ err: { message: (err as Error).message } }, 'could not listen to outbound events; staff replies will not reach WeChat'));

  const pending = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    const q = p.catch(() => {}).finally(() => pending.delete(q));
    pending.add(q);
  };

  return {
    contacts,
    deliveries,
    queues,
    memory,
    mp: { dedupe, tokens, customerService },
    publicUrl,
    deliver,
    ready: () => listening,
    track,
    close: async () => {
      await unsubscribe?.();
      while (pending.size) await Promise.all([...pending]);
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}

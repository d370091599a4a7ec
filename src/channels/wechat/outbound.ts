/**
 * The outbound queue: messages for WeChat contacts that are not the reply to their own message
 * (staff replies, handoff notices, the rating prompt, an Official Account answer that missed the
 * 5-second reply). One job per message, its id the message id, so a message is sent once however
 * often it is queued; its parts are sent in order and a retry resumes after the last part sent.
 * With Redis the queue is BullMQ (outbound-bullmq.ts, worker in workers/wechat-outbound.ts);
 * without, this in-process queue with the same interface and the same contract tests.
 */
import type { Logger } from '../../platform/logger.js';
import type { WechatChannelName } from './contacts.js';
import type { DeliveryLog } from './deliveries.js';

export { DeliveryLog, type Delivery, type DeliveryStatus } from './deliveries.js';

export interface OutboundJob {
  /** The message id. */
  id: string;
  channel: WechatChannelName;
  conversationId: string;
  /** An OpenID (wechat-mp); a Wechaty contact id, or "room:<roomId>:<contactId>" (wechat). */
  contact: string;
  /** The laid-out text, one WeChat message per part. */
  parts: string[];
  /** Wait before the first part (after a passive reply, so the parts arrive in order). */
  delayMs?: number;
}

/** A failure that retrying cannot cure (outside the 48-hour window, unknown contact …). */
export class PermanentDeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** Sends one part of a job; throws to retry later, PermanentDeliveryError to give up. */
export interface OutboundSender {
  send(job: OutboundJob, part: string, index: number): Promise<void>;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** First wait; doubled after each failure. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, backoffMs: 3000 };

export interface OutboundQueue {
  readonly kind: 'memory' | 'redis';
  readonly channel: WechatChannelName;
  /** Queues a message; false when this message was queued before (it is not sent twice). */
  enqueue(job: OutboundJob): Promise<boolean>;
  close(): Promise<void>;
}

/** A running consumer of a queue (the in-process sender, or a BullMQ worker). */
export interface OutboundConsumer {
  close(): Promise<void>;
}

export function errorInfo(e: unknown): { code: string; message: string } {
  if (e instanceof PermanentDeliveryError) return { code: e.code, message: e.message };
  const err = e as { code?: unknown; message?: unknown };
  return { code: typeof err?.code === 'string' || typeof err?.code === 'number' ? String(err.code) : 'send_failed', message: String(err?.message ?? e) };
}

/**
 * Runs one attempt of a job from part `from` on: returns the parts sent so far. The caller
 * records progress, so a retry does not send a part twice.
 */
export async function sendParts(sender: OutboundSender, job: OutboundJob, from: number, progress: (sent: number) => Promise<void> | void): Promise<void> {
  for (let i = from; i < job.parts.length; i++) {
    await sender.send(job, job.parts[i], i);
    await progress(i + 1);
  }
}

export interface MemoryOutboundOptions {
  channel: WechatChannelName;
  deliveries: DeliveryLog;
  logger: Logger;
  retry?: RetryPolicy;
}

/**
 * The queue in one process (no Redis): jobs wait in memory for a sender to attach (the bot once
 * it runs), each contact's messages go out in order (a message being retried holds back the
 * next one to that contact), failures are retried with doubling waits. Queued messages do not
 * survive a restart; the delivery log shows them as still queued.
 */
export class MemoryOutboundQueue implements OutboundQueue {
  readonly kind = 'memory' as const;
  readonly channel: WechatChannelName;
  private sender: OutboundSender | null = null;
  private readonly waiting: Array<{ job: OutboundJob; from: number; attempt: number }> = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private readonly retry: RetryPolicy;

  constructor(private readonly o: MemoryOutboundOptions) {
    this.channel = o.channel;
    this.retry = o.retry ?? DEFAULT_RETRY;
  }

  /** The sender that delivers this queue's jobs (the bot, the customer-service client). */
  attach(sender: OutboundSender): OutboundConsumer {
    this.sender = sender;
    for (const w of this.waiting.splice(0)) this.run(w.job, w.from, w.attempt);
    return {
      close: async () => {
        if (this.sender === sender) this.sender = null;
        await this.idle();
      },
    };
  }

  async enqueue(job: OutboundJob): Promise<boolean> {
    if (this.stop.signal.aborted) throw new Error('the outbound queue is closed');
    if (!(await this.o.deliveries.queued(job))) return false;
    this.run(job, 0, 1);
    return true;
  }

  private run(job: OutboundJob, from: number, attempt: number): void {
    // One contact's messages in order: each waits for the one before it, retries included.
    const prev = this.chains.get(job.contact) ?? Promise.resolve();
    const tail = prev.then(() => this.deliver(job, from, attempt)).catch((err: unknown) => this.o.logger.error({ err, messageId: job.id }, 'outbound delivery failed unexpectedly'));
    this.chains.set(job.contact, tail);
    this.inFlight.add(tail);
    void tail.finally(() => {
      this.inFlight.delete(tail);
      if (this.chains.get(job.contact) === tail) this.chains.delete(job.contact);
    });
  }

  private async deliver(job: OutboundJob, from: number, first: number): Promise<void> {
    if (from === 0 && first === 1 && job.delayMs) await this.sleep(job.delayMs);
    let sent = from;
    for (let attempt = first; !this.stop.signal.aborted; attempt++) {
      const sender = this.sender;
      if (!sender) {
        this.waiting.push({ job, from: sent, attempt });
        return;
      }
      try {
        await sendParts(sender, job, sent, (n) => {
          sent = n;
        });
        await this.o.deliveries.sent(job.id, attempt);
        return;
      } catch (e) {
        const info = errorInfo(e);
        const permanent = e instanceof PermanentDeliveryError;
        if (permanent || attempt >= this.retry.attempts) {
          this.o.logger.warn(
            { messageId: job.id, channel: job.channel, attempt, code: info.code, err: { message: info.message } },
            permanent ? 'outbound message cannot be delivered; not retried' : 'outbound message failed after its last attempt',
          );
          await this.o.deliveries.failed(job.id, attempt, info);
          return;
        }
        await this.o.deliveries.attempted(job.id, attempt, info);
        const wait = this.retry.backoffMs * 2 ** (attempt - 1);
        this.o.logger.info({ messageId: job.id, channel: job.channel, attempt, retryInMs: wait, code: info.code }, 'outbound message not sent; will retry');
        await this.sleep(wait);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stop.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves when nothing is being sent or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** Jobs not yet delivered (waiting for a sender, being sent or waiting for a retry). */
  pending(): number {
    return this.waiting.length + this.inFlight.size;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.idle();
  }
}

/**
 * The BullMQ queues of messages for WeChat contacts, one per channel: `wechat-outbound.wechat`
 * (consumed by the bot process, the only one holding the WeChat login) and
 * `wechat-outbound.wechat-mp` (consumed by `npm run worker`: the customer-service API can be
 * called from anywhere).
 */
export const outboundQueueName = (channel: WechatChannelName) => `wechat-outbound.${channel}`;

/**
 * The Wechaty bot: a WeChat account that answers contacts from the dialogue engine. Text from a
 * contact (or a group message that mentions the bot) goes to the engine; the reply goes back as
 * plain text laid out for a phone. Other messages get a polite note. The bot is also the sender
 * of the `wechat` outbound queue (staff replies, handoff notices). A lost connection is retried
 * with backoff, each time with a fresh Wechaty instance.
 */
import { qrcodeValueToImageUrl, types, type Wechaty } from 'wechaty';
import type { ContactInterface, MessageInterface, RoomInterface } from 'wechaty/impls';
import type { DialogueEngine } from '../../dialogue/engine.js';
import type { Logger } from '../../platform/logger.js';
import { maskPII } from '../../platform/pii.js';
import { WECHATY_CHANNEL } from './contacts.js';
import type { WechatChannel } from './index.js';
import { layoutReply } from './layout.js';
import { PermanentDeliveryError, type OutboundJob, type OutboundSender } from './outbound.js';
import { overLimit, type SessionLimit } from './session-limit.js';
import { wechatTexts } from './texts.js';

/** Messages older than this when they arrive are history a puppet replays after logging in: not answered. */
const MAX_AGE_SECONDS = 180;

/** What the bot says about a message type it cannot read; null: says nothing (a recall, a system note). */
const NON_TEXT: Partial<Record<types.Message, string | null>> = {
  [types.Message.Image]: 'image',
  [types.Message.Audio]: 'voice',
  [types.Message.Video]: 'video',
  [types.Message.Emoticon]: 'emoticon',
  [types.Message.Attachment]: 'file',
  [types.Message.Url]: 'link',
  [types.Message.Location]: 'location',
  [types.Message.Contact]: 'contact',
  [types.Message.MiniProgram]: 'miniprogram',
  [types.Message.ChatHistory]: 'file',
  [types.Message.Recalled]: null,
  [types.Message.GroupNote]: null,
  [types.Message.Transfer]: null,
  [types.Message.RedEnvelope]: null,
  [types.Message.Post]: null,
  [types.Message.Unknown]: null,
};

/** Errors that mean the puppet lost its connection (the puppet service, the WeChat session). */
const CONNECTION_LOST = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|disconnect|UNAVAILABLE|WatchdogAgent reset|connection (lost|closed|reset)|stream (closed|ended)|grpc/i;

export interface BotOptions {
  /** Makes a Wechaty instance: called at start and again after a lost connection. */
  build: () => Wechaty;
  engine: () => Pick<DialogueEngine, 'handle'>;
  wechat: WechatChannel;
  logger: Logger;
  maxMessageChars: number;
  /** Messages per session per minute (RATE_LIMIT_SESSION_PER_MIN); over it, the contact is told to slow down. */
  limitSession?: SessionLimit;
  /** Backoff between restarts: base doubling to max, with jitter. */
  backoff?: { baseMs: number; maxMs: number };
  /** Prints an ASCII QR code of a log-in code (to stderr); default: with the `qrcode` package when installed. */
  printQr?: (value: string) => Promise<void>;
}

export type BotState = 'stopped' | 'starting' | 'waiting_login' | 'online' | 'reconnecting';

export class WechatBot implements OutboundSender {
  private bot: Wechaty | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private lost: (() => void) | null = null;
  private restarts = 0;
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners = new Set<(online: boolean) => void>();
  private _state: BotState = 'stopped';
  private readonly log: Logger;

  constructor(private readonly o: BotOptions) {
    this.log = o.logger.child({ capability: 'wechaty' });
  }

  get state(): BotState {
    return this._state;
  }

  /** The running Wechaty instance (tests reach the puppet through it). */
  get wechaty(): Wechaty | null {
    return this.bot;
  }

  /** How many times the bot was restarted after a failed start or a lost connection. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Called with true on log-in, false on log-out or a lost connection. */
  onOnline(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setOnline(online: boolean) {
    for (const l of this.listeners) {
      try {
        l(online);
      } catch (err) {
        this.log.warn({ err }, 'online listener failed');
      }
    }
  }

  /** Starts the bot and keeps it running (restarts with backoff) until stop(). Resolves once the first start was tried. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    let firstTried!: () => void;
    const tried = new Promise<void>((r) => (firstTried = r));
    this.loop = this.run(firstTried);
    await tried;
  }

  private delay(attempt: number): number {
    const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 2000, maxMs: 5 * 60_000 };
    const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(d * (0.8 + Math.random() * 0.4));
  }

  private async run(firstTried: () => void): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this._state = failures ? 'reconnecting' : 'starting';
      const bot = this.o.build();
      const lost = new Promise<string>((resolve) => {
        this.lost = () => resolve('stop');
        this.wire(bot, resolve, () => {
          failures = 0;
        });
      });
      // A puppet that cannot connect does not fail start(): Wechaty emits the error and takes
      // its time to settle. An error meaning "connection lost" during start counts as a failed start.
      const started = bot.start().then(
        () => null,
        (err: unknown) => (err as Error)?.message ?? String(err),
      );
      const failed = await Promise.race([started, lost.then((why) => (why === 'stop' ? null : why))]);
      if (failed !== null && !this.stopping) {
        failures++;
        this.restarts++;
        const wait = this.delay(failures);
        this.log.error({ err: { message: maskPII(failed) }, attempt: failures, retryInMs: wait }, 'Wechaty puppet did not start; retrying');
        firstTried();
        // Stopped in the background: Wechaty waits up to 5 s for a half-started puppet.
        void started.then(() => bot.stop()).catch(() => {});
        await this.sleep(wait);
        continue;
      }
      this.bot = bot;
      // A puppet that keeps its session logs in during start(): already online.
      if ((this._state as BotState) !== 'online') this._state = 'waiting_login';
      firstTried();
      const why = await lost;
      this.setOnline(false);
      this.bot = null;
      await bot.stop().catch((err: unknown) => this.log.warn({ err: { message: (err as Error).message } }, 'Wechaty did not stop cleanly'));
      if (this.stopping || why === 'stop') break;
      failures++;
      this.restarts++;
      const wait = this.delay(failures);
      this.log.warn({ reason: maskPII(why), attempt: failures, retryInMs: wait }, 'WeChat connection lost; restarting the bot');
      await this.sleep(wait);
    }
    this._state = 'stopped';
  }

  private sleeping: (() => void) | null = null;
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.sleeping = null;
        resolve();
      }
      this.sleeping = done;
    });
  }

  private wire(bot: Wechaty, lost: (why: string) => void, loggedIn: () => void): void {
    bot.on('scan', (qrcode: string, status: types.ScanStatus) => {
      if (status === types.ScanStatus.Waiting || status === types.ScanStatus.Timeout) {
        // The QR code is a log-in for whoever scans it: shown to the operator only, never to citizens.
        this.log.info({ qrcodeUrl: qrcodeValueToImageUrl(qrcode), status: types.ScanStatus[status] }, 'scan this QR code with the WeChat account to log the bot in (open qrcodeUrl in a browser)');
        void (this.o.printQr ?? printAsciiQr)(qrcode).catch(() => {});
      } else {
        this.log.info({ status: types.ScanStatus[status] }, 'log-in QR code status');
      }
    });
    bot.on('login', (user: ContactInterface) => {
      this._state = 'online';
      loggedIn();
      this.log.info({ account: user.name() }, 'WeChat bot logged in');
      this.setOnline(true);
    });
    bot.on('logout', (user: ContactInterface, reason?: string) => {
      this._state = 'waiting_login';
      this.log.warn({ account: user.name(), reason }, 'WeChat bot logged out; waiting for a new log-in (a QR code follows)');
      this.setOnline(false);
    });
    bot.on('error', (err: Error) => {
      const message = maskPII(err?.message ?? String(err));
      if (CONNECTION_LOST.test(message)) {
        this.log.error({ err: { message } }, 'Wechaty puppet error: connection lost');
        lost(message);
      } else this.log.error({ err: { message } }, 'Wechaty puppet error');
    });
    bot.on('message', (msg: MessageInterface) => {
      const p = this.onMessage(msg).catch((err: unknown) => this.log.error({ err }, 'WeChat message not handled'));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
  }

  /** Stops the bot: no new messages, the ones being answered finish, then Wechaty stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeping?.();
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
    this.lost?.();
    await this.loop;
    this.loop = null;
  }

  /** Resolves when no message is being answered (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async onMessage(msg: MessageInterface): Promise<void> {
    if (msg.self()) return;
    if (this.stopping) return;
    if (msg.age() > MAX_AGE_SECONDS) return;
    const talker = msg.talker();
    // Official accounts and companies: never a citizen, and answering them could loop.
    if (talker.type() === types.Contact.Official || talker.type() === types.Contact.Corporation) return;
    const room = msg.room();
    if (room && !(await msg.mentionSelf())) return;
    // In a group each member has a conversation of their own there.
    const key = room ? `room:${room.id}:${talker.id}` : talker.id;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.answer(msg, key, talker, room ?? undefined));
    const tail = run.catch(() => {});
    this.chains.set(key, tail);
    void tail.finally(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private async answer(msg: MessageInterface, key: string, talker: ContactInterface, room?: RoomInterface): Promise<void> {
    const say = async (text: string) => {
      if (room) await room.say(text, talker);
      else await talker.say(text);
    };
    const type = msg.type();
    const ref = this.o.wechat.contacts.ref(key);
    if (type !== types.Message.Text) {
      const kind = NON_TEXT[type];
      if (kind === null || room) return;
      this.log.info({ contact: ref, type: types.Message[type] }, 'non-text WeChat message answered');
      await say(wechatTexts.nonText(kind ?? 'unknown'));
      return;
    }
    const text = (room ? await msg.mentionText() : msg.text()).trim();
    if (!text) {
      await say(wechatTexts.empty);
      return;
    }
    if ([...text].length > this.o.maxMessageChars) {
      await say(wechatTexts.tooLong(this.o.maxMessageChars));
      return;
    }
    const sessionId = this.o.wechat.contacts.sessionId(WECHATY_CHANNEL, key);
    if (await overLimit(this.o.limitSession, sessionId)) {
      this.log.info({ contact: ref }, 'WeChat message over the per-session limit');
      await say(wechatTexts.tooFast);
      return;
    }
    let parts: string[];
    try {
      const reply = await this.o.engine().handle({ sessionId, message: text, channel: WECHATY_CHANNEL, contact: key });
      parts = layoutReply(reply, { publicUrl: this.o.wechat.publicUrl });
    } catch (err) {
      this.log.error({ err, contact: ref }, 'WeChat message could not be answered');
      parts = [wechatTexts.failed];
    }
    for (const part of parts) await say(part);
  }

  // ---------------------------------------------------------------- outbound sender

  /** Sends one part of a queued message (staff reply, notice) to its contact or group. */
  async send(job: OutboundJob, part: string): Promise<void> {
    const bot = this.bot;
    if (!bot || !bot.isLoggedIn) throw Object.assign(new Error('the WeChat bot is not logged in'), { code: 'not_logged_in' });
    const room = /^room:([^:]+):(.+)$/.exec(job.contact);
    if (room) {
      const r = await bot.Room.find({ id: room[1] });
      if (!r) throw new PermanentDeliveryError('room_not_found', 'the bot is no longer in this group');
      const member = await bot.Contact.find({ id: room[2] });
      await (member ? r.say(part, member) : r.say(part));
      return;
    }
    const contact = await bot.Contact.find({ id: job.contact });
    if (!contact) throw new PermanentDeliveryError('contact_not_found', 'the contact is not found (no longer a friend of the bot account?)');
    await contact.say(part);
  }
}

/** An ASCII QR code on stderr, with the `qrcode` package if it is installed (it comes with wechaty's file-box). */
async function printAsciiQr(value: string): Promise<void> {
  try {
    const name = 'qrcode';
    // Optional and untyped here: only its toString is used.
    type QrToString = (v: string, o: object) => Promise<string>;
    const mod = (await import(name)) as { toString?: unknown; default?: { toString?: unknown } };
    const pick = (f: unknown) => (typeof f === 'function' && f !== Object.prototype.toString ? (f as QrToString) : null);
    const toString = pick(mod.toString) ?? pick(mod.default?.toString);
    if (!toString) return;
    process.stderr.write(`${await toString(value, { type: 'terminal', small: true })}\n`);
  } catch {
    // No ASCII code: the URL in the log is enough.
  }
}

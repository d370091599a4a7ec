/**
 * The real Wechaty library over its mock puppet (wechaty-puppet-mock), for the bot tests: the
 * bot logs in as a mock account, citizens are mock contacts who say things to it and collect
 * what it says back. See ../shared/NOTES.md: `bot.ready()` never resolves with the mock, so the
 * log-in is done with `mocker.login` and the `login` event.
 */
import { log, WechatyBuilder, type Wechaty } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { WechatBot, type BotOptions } from '../../src/channels/wechat/bot.js';
import type { OutboundConsumer } from '../../src/channels/wechat/outbound.js';
import { silentLogger, type Logger } from '../../src/platform/logger.js';
import type { Services } from '../../src/services.js';
import { consumeBotOutbound } from '../../workers/wechat-outbound.js';

type ContactMock = ReturnType<mock.Mocker['createContact']>;
type RoomMock = ReturnType<mock.Mocker['createRoom']>;
type MessageMock = Parameters<Parameters<ContactMock['on']>[1]>[0];

// Wechaty's own log (stderr): errors only in the tests.
log.level('error');

export const BOT_ID = 'wxid_govchat_bot';
export const BOT_NAME = '政务助手';

/** One mock WeChat world per Wechaty instance (the bot builds a new one after a lost connection). */
export interface MockWorld {
  mocker: mock.Mocker;
  puppet: PuppetMock;
  me: ContactMock;
}

export interface MockWechatOptions {
  services: Services;
  logger?: Logger;
  /** Make the puppet of the n-th Wechaty instance (0-based) fail to start. */
  failStarts?: number;
  backoff?: BotOptions['backoff'];
}

/** A citizen's WeChat: says things to the bot (or in a group) and collects the bot's messages. */
export class Citizen {
  readonly inbox: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    private readonly world: () => MockWorld,
    readonly id: string,
    readonly name: string,
    private contact: ContactMock,
  ) {
    this.listen(contact);
  }

  private listen(c: ContactMock) {
    c.on('message', (m: MessageMock) => {
      if (m.talker().id !== BOT_ID || m.room()) return;
      this.inbox.push(m.text() ?? '');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The same person in a new mock world (after the bot restarted with a fresh puppet). */
  rebind(c: ContactMock) {
    this.contact = c;
    this.listen(c);
  }

  get mock(): ContactMock {
    return this.contact;
  }

  /** Sends a text (or a file box) to the bot; resolves with the bot's messages that answer it. */
  async ask(something: Parameters<ContactMock['say']>[0], o: { parts?: number; timeoutMs?: number } = {}): Promise<string[]> {
    const from = this.inbox.length;
    this.contact.say(something).to(this.world().me);
    return this.collect(from, o.parts ?? 1, o.timeoutMs);
  }

  /** Waits for `n` messages after index `from`, then for the bot to fall quiet. */
  async collect(from: number, n = 1, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length < from + n) {
      if (Date.now() > deadline) throw new Error(`${this.name} expected ${n} message(s) from the bot, got ${this.inbox.length - from}: ${JSON.stringify(this.inbox.slice(from))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    // Parts of one answer follow each other: wait until nothing more arrives for a moment.
    let seen = -1;
    while (seen !== this.inbox.length) {
      seen = this.inbox.length;
      await new Promise((r) => setTimeout(r, 80));
    }
    return this.inbox.slice(from);
  }
}

export class MockWechat {
  readonly worlds: MockWorld[] = [];
  readonly bot: WechatBot;
  private outbound: OutboundConsumer | null = null;
  private logins: Array<() => void> = [];
  private readonly citizens: Citizen[] = [];

  private constructor(private readonly o: MockWechatOptions) {
    this.bot = new WechatBot({
      build: () => this.build(),
      engine: () => o.services.engine,
      wechat: o.services.wechat,
      logger: o.logger ?? silentLogger,
      maxMessageChars: o.services.config.MAX_MESSAGE_CHARS,
      limitSession: (id) => o.services.limits.perSession(id),
      backoff: o.backoff ?? { baseMs: 20, maxMs: 200 },
      printQr: async () => {},
    });
    this.bot.onOnline((online) => {
      if (online) for (const l of this.logins.splice(0)) l();
    });
  }

  /** Starts the bot over a mock puppet and logs it in; the outbound queue is consumed as in `npm run wechat`. */
  static async start(o: MockWechatOptions): Promise<MockWechat> {
    const w = new MockWechat(o);
    w.outbound = consumeBotOutbound({ bot: w.bot, wechat: o.services.wechat, redis: o.services.redis, logger: o.logger ?? silentLogger });
    await w.bot.start();
    await w.login();
    return w;
  }

  get world(): MockWorld {
    return this.worlds[this.worlds.length - 1];
  }

  private build(): Wechaty {
    const mocker = new mock.Mocker();
    const fail = this.worlds.length < (this.o.failStarts ?? 0);
    const puppet = fail ? new FailingPuppet({ mocker }) : new PuppetMock({ mocker });
    const world: MockWorld = { mocker, puppet, me: null as unknown as ContactMock };
    this.worlds.push(world);
    // No name: no memory-card file is written.
    return WechatyBuilder.build({ puppet });
  }

  /** Logs the current world's bot account in (after a start or a restart). */
  async login(): Promise<void> {
    const deadline = Date.now() + 10_000;
    // The bot may still be starting (or restarting after a failed start).
    while (!this.bot.wechaty || this.bot.state === 'starting' || this.bot.state === 'reconnecting') {
      if (Date.now() > deadline) throw new Error(`the bot did not start (state ${this.bot.state})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const world = this.world;
    const online = new Promise<void>((resolve) => this.logins.push(resolve));
    world.me = world.mocker.createContact({ id: BOT_ID, name: BOT_NAME });
    // Citizens already known come back in the new world with their ids.
    for (const c of this.citizens) c.rebind(world.mocker.createContact({ id: c.id, name: c.name }));
    world.mocker.login(world.me);
    await online;
  }

  citizen(name: string, id = `wxid_${Math.random().toString(36).slice(2, 10)}`): Citizen {
    const c = new Citizen(() => this.world, id, name, this.world.mocker.createContact({ id, name }));
    this.citizens.push(c);
    return c;
  }

  room(topic: string, members: Citizen[]): RoomMock {
    return this.world.mocker.createRoom({ topic, memberIdList: [BOT_ID, ...members.map((m) => m.id)] });
  }

  async stop(): Promise<void> {
    await this.outbound?.close();
    await this.bot.stop();
  }
}

/** A puppet whose service cannot be reached: start() fails, as with a puppet service down. */
class FailingPuppet extends PuppetMock {
  override async onStart(): Promise<void> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:8788 (puppet service unreachable)');
  }
}

/** Collects the bot's messages in a group. */
export function roomInbox(room: RoomMock): string[] {
  const got: string[] = [];
  room.on('message', (m: MessageMock) => {
    if (m.talker().id === BOT_ID) got.push(m.text() ?? '');
  });
  return got;
}

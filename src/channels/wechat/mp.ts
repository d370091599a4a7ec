/**
 * The Official Account webhook (公众号服务器配置): GET /api/wechat/mp verifies the server, POST
 * /api/wechat/mp receives messages and events — in 明文模式, or encrypted in 安全模式/兼容模式 when
 * WECHAT_MP_AES_KEY is set (mp-crypto.ts). Every request's signature is checked before anything
 * else. A text message is answered with a passive XML reply when the answer is ready within
 * WECHAT_MP_REPLY_TIMEOUT_MS (WeChat waits 5 s); otherwise "success" is answered at once and the
 * answer follows as a customer-service message through the outbound queue.
 */
import { createHash } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DialogueEngine } from '../../dialogue/engine.js';
import type { Reply } from '../../dialogue/reply.js';
import type { HandoffService } from '../../handoff/service.js';
import { AppError } from '../../platform/errors.js';
import { validationHook, type AppEnv } from '../../platform/http.js';
import type { Logger } from '../../platform/logger.js';
import { ErrorSchema } from '../../platform/openapi.js';
import type { ConversationRecords } from '../../records/store.js';
import { MP_CHANNEL } from './contacts.js';
import type { WechatChannel } from './index.js';
import { layoutReply, layoutSingle, splitUnits } from './layout.js';
import { MpCryptoError, openMessage, sealReply, type MpAes } from './mp-crypto.js';
import type { MsgState } from './mp-dedupe.js';
import { overLimit, type SessionLimit } from './session-limit.js';
import { parseMessage, textReply, verifySignature, XmlError, type MpMessage } from './mp-xml.js';
import { wechatTexts } from './texts.js';
import { limitBody } from '../../platform/body-limit.js';

/** WeChat's own messages are small; anything near this is not from WeChat. */
const MAX_BODY_BYTES = 16 * 1024;
/** A signed request older or newer than this is refused (a captured URL cannot be replayed later). */
const TIMESTAMP_WINDOW_S = 10 * 60;
/** Wait after a passive reply before the rest of a long answer, so the parts arrive in order. */
const REST_DELAY_MS = 1500;

export interface MpRoutesOptions {
  /** WECHAT_MP_TOKEN; unset: the routes answer 404. */
  token: string | undefined;
  /** WECHAT_MP_AES_KEY and WECHAT_MP_APPID: messages in 安全模式 / 兼容模式 are decrypted, replies encrypted. */
  aes?: MpAes;
  engine: () => Pick<DialogueEngine, 'handle'>;
  wechat: () => WechatChannel;
  records: () => ConversationRecords;
  /** To take a citizen who unfollowed out of the staff queue. */
  handoff?: () => Pick<HandoffService, 'cancelBySession'>;
  replyTimeoutMs: number;
  maxMessageChars: number;
  /** Messages per session per minute (RATE_LIMIT_SESSION_PER_MIN); over it, the citizen is told to slow down. */
  limitSession?: SessionLimit;
  logger: Logger;
  now?: () => number;
}

const SignedQuery = z.object({
  signature: z.string().max(128).optional(),
  timestamp: z.string().max(32).optional(),
  nonce: z.string().max(128).optional(),
  echostr: z.string().max(512).optional(),
  openid: z.string().max(128).optional(),
  encrypt_type: z.string().max(16).optional(),
  msg_signature: z.string().max(128).optional(),
});

const errors = {
  401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Missing or wrong signature (or, encrypted, msg_signature or receiver), or a stale timestamp: nothing is processed' },
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'The Official Account is not configured (WECHAT_MP_TOKEN unset)' },
};

const verifyRoute = createRoute({
  method: 'get',
  path: '/api/wechat/mp',
  tags: ['wechat'],
  summary: 'WeChat Official Account server verification: echoes echostr when the signature is right',
  request: { query: SignedQuery },
  responses: {
    200: { content: { 'text/plain': { schema: z.string() } }, description: 'echostr, echoed' },
    400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No echostr' },
    ...errors,
  },
});

const messageRoute = createRoute({
  method: 'post',
  path: '/api/wechat/mp',
  tags: ['wechat'],
  summary: 'WeChat Official Account messages and events (明文模式, or 安全模式/兼容模式 with WECHAT_MP_AES_KEY); answers a passive XML reply (encrypted in 安全模式) or "success"',
  request: {
    query: SignedQuery,
    body: { content: { 'text/xml': { schema: z.string().openapi({ example: '<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[openid]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[身份证丢了怎么办]]></Content><MsgId>1</MsgId></xml>' }) } }, required: true },
  },
  responses: {
    200: {
      content: { 'application/xml': { schema: z.string().openapi({ description: 'A passive text reply' }) }, 'text/plain': { schema: z.string().openapi({ example: 'success' }) } },
      description: 'A passive XML reply, or "success" when the answer follows as a customer-service message (or none is due)',
    },
    400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not a WeChat XML message' },
    413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Body over 16 KB' },
    ...errors,
  },
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
const SUCCESS = 'success';

/** The routes of the Official Account webhook. */
export function wechatMpRoutes(o: MpRoutesOptions) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const now = o.now ?? Date.now;
  const log = o.logger.child({ capability: 'wechat-mp' });

  const configured = () => {
    if (!o.token) throw new AppError(404, 'not_configured', '未配置微信公众号（WECHAT_MP_TOKEN）');
    return o.token;
  };
  const checkSignature = (q: z.infer<typeof SignedQuery>) => {
    const token = configured();
    if (!verifySignature(token, q)) throw new AppError(401, 'bad_signature', '签名校验失败');
    return token;
  };

  app.use(
    '/api/wechat/mp',
    limitBody({ maxBytes: MAX_BODY_BYTES }),
  );

  app.openapi(verifyRoute, (c) => {
    const q = c.req.valid('query');
    checkSignature(q);
    if (!q.echostr) throw new AppError(400, 'bad_request', '缺少 echostr');
    log.info('Official Account server verified');
    return c.text(q.echostr, 200);
  });

  app.openapi(messageRoute, async (c) => {
    const q = c.req.valid('query');
    const token = checkSignature(q);
    const ts = Number(q.timestamp);
    if (!Number.isFinite(ts) || Math.abs(now() / 1000 - ts) > TIMESTAMP_WINDOW_S) throw new AppError(401, 'stale_request', '请求时间戳超出允许范围');
    let msg = parse(await c.req.text(), '不是有效的微信消息');
    // 安全模式 sends the message encrypted; 兼容模式 sends it both ways, and the encrypted copy is the signed one.
    const sealed = !!(msg.Encrypt && o.aes);
    if (sealed) msg = parse(openEncrypted(token, q, msg.Encrypt!), '解密后不是有效的微信消息');
    else if (!msg.MsgType && msg.Encrypt) {
      log.error('an encrypted (安全模式) message arrived but WECHAT_MP_AES_KEY is not set: set it and WECHAT_MP_APPID from the Official Account console, or switch the account to 明文模式');
      return c.text(SUCCESS, 200);
    }
    const reply = await respond(msg);
    if (reply === SUCCESS) return c.text(SUCCESS, 200);
    return c.body(sealed ? sealReply(o.aes!, token, reply, now()) : reply, 200, { 'content-type': 'application/xml; charset=utf-8' });
  });

  const wechat = () => o.wechat();

  /** A WeChat XML message; anything else is a 400 saying `what`. */
  function parse(xml: string, what: string): MpMessage {
    try {
      return parseMessage(xml);
    } catch (e) {
      if (e instanceof XmlError) throw new AppError(400, 'bad_xml', `${what}：${e.message}`);
      throw e;
    }
  }

  /** The XML inside an encrypted request; a wrong msg_signature or receiver is refused like a wrong signature. */
  function openEncrypted(token: string, q: z.infer<typeof SignedQuery>, encrypted: string): string {
    try {
      return openMessage(o.aes!, token, q, encrypted);
    } catch (e) {
      if (e instanceof MpCryptoError) throw new AppError(e.code === 'bad_encrypt' ? 400 : 401, e.code, `加密消息校验失败：${e.message}`);
      throw e;
    }
  }

  /** The id WeChat's retries of one message share: MsgId, or for events the sender and time. */
  const keyOf = (m: MpMessage) => {
    const raw = m.MsgId ? `msg:${m.MsgId}` : `event:${m.FromUserName}:${m.CreateTime}:${m.Event ?? m.MsgType}`;
    return createHash('sha256').update(`${m.ToUserName}\n${raw}`).digest('base64url');
  };

  async function respond(m: MpMessage): Promise<string> {
    const key = keyOf(m);
    let known: MsgState | null = null;
    try {
      known = await wechat().mp.dedupe.claim(key);
    } catch (err) {
      // Redis away: answer anyway (a retry might then be answered twice, never not at all).
      log.warn({ err: { message: (err as Error).message } }, 'message dedupe unavailable');
    }
    if (known) return answerRetry(key, known);
    const body = await handle(m, key);
    return body;
  }

  /** A retry of a message already received: the same reply if it is ready, else "success". */
  async function answerRetry(key: string, known: MsgState): Promise<string> {
    let state: MsgState | null = known;
    const until = now() + o.replyTimeoutMs;
    while (state?.state === 'pending' && now() < until) {
      await sleep(100);
      state = await wechat().mp.dedupe.get(key).catch(() => null);
    }
    log.info({ state: state?.state ?? 'expired' }, 'retried message answered once');
    return state?.state === 'replied' ? state.body : SUCCESS;
  }

  async function remember(key: string, state: MsgState) {
    await wechat()
      .mp.dedupe.set(key, state)
      .catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'message dedupe unavailable'));
  }

  async function passive(m: MpMessage, key: string, text: string): Promise<string> {
    const body = textReply(m, splitUnits([text])[0] ?? text, now());
    await remember(key, { state: 'replied', body });
    return body;
  }

  async function handle(m: MpMessage, key: string): Promise<string> {
    const openId = m.FromUserName;
    const ref = wechat().contacts.ref(openId);
    switch (m.MsgType) {
      case 'event':
        return event(m, key, ref);
      case 'text':
        return text(m, key, (m.Content ?? '').trim());
      case 'voice':
        // With speech recognition switched on, WeChat sends the words too.
        if (m.Recognition?.trim()) return text(m, key, m.Recognition.trim().replace(/[。.]$/, ''));
        return passive(m, key, wechatTexts.nonText('voice'));
      default:
        log.info({ contact: ref, type: m.MsgType }, 'non-text message answered');
        return passive(m, key, wechatTexts.nonText(m.MsgType));
    }
  }

  async function event(m: MpMessage, key: string, ref: string): Promise<string> {
    const e = (m.Event ?? '').toLowerCase();
    if (e === 'subscribe' || e === 'scan' || e === 'click') {
      log.info({ contact: ref, event: e }, 'Official Account event');
      return passive(m, key, wechatTexts.welcome());
    }
    if (e === 'unsubscribe') {
      log.info({ contact: ref }, 'user unfollowed the Official Account');
      await unfollowed(m.FromUserName).catch((err: unknown) => log.warn({ err, contact: ref }, 'could not end the handoff of a user who unfollowed'));
    }
    await remember(key, { state: 'deferred' });
    return SUCCESS;
  }

  /** A citizen who unfollowed cannot be written to: take them out of the staff queue. */
  async function unfollowed(openId: string): Promise<void> {
    const conv = await o.records().conversationBySession(wechat().contacts.sessionId(MP_CHANNEL, openId));
    if (conv?.status === 'waiting' && o.handoff) await o.handoff().cancelBySession(conv);
  }

  async function text(m: MpMessage, key: string, message: string): Promise<string> {
    if (!message) return passive(m, key, wechatTexts.empty);
    if ([...message].length > o.maxMessageChars) return passive(m, key, wechatTexts.tooLong(o.maxMessageChars));
    const openId = m.FromUserName;
    const sessionId = wechat().contacts.sessionId(MP_CHANNEL, openId);
    if (await overLimit(o.limitSession, sessionId)) {
      log.info({ contact: wechat().contacts.ref(openId) }, 'Official Account message over the per-session limit');
      return passive(m, key, wechatTexts.tooFast);
    }
    const work = o.engine().handle({ sessionId, message, channel: MP_CHANNEL, contact: openId });
    const settled = work.then(
      (reply) => ({ reply }),
      (error: unknown) => ({ error }),
    );
    const first = await Promise.race([settled, sleep(o.replyTimeoutMs).then(() => null)]);
    if (first) {
      if ('error' in first) {
        log.error({ err: first.error }, 'Official Account message could not be answered');
        return passive(m, key, wechatTexts.failed);
      }
      return ready(m, key, sessionId, first.reply);
    }
    // Not ready in time: "success" now, the answer as a customer-service message once written.
    await remember(key, { state: 'deferred' });
    log.info({ contact: wechat().contacts.ref(openId), waitedMs: o.replyTimeoutMs }, 'answer not ready in time; it follows as a customer-service message');
    wechat().track(
      settled.then(async (r) => {
        if ('error' in r) {
          log.error({ err: r.error }, 'Official Account message could not be answered');
          await later(sessionId, openId, `failed-${key}`, [wechatTexts.failed]);
          return;
        }
        await later(sessionId, openId, r.reply.messageId, layoutReply(r.reply, { publicUrl: wechat().publicUrl }));
      }),
    );
    return SUCCESS;
  }

  /** The answer came in time: the first part as the passive reply, the rest as customer-service messages. */
  async function ready(m: MpMessage, key: string, sessionId: string, reply: Reply): Promise<string> {
    const w = wechat();
    const parts = layoutReply(reply, { publicUrl: w.publicUrl });
    if (!parts.length) {
      // Staff hold the conversation: the message went to them; they answer.
      await remember(key, { state: 'deferred' });
      return SUCCESS;
    }
    if (parts.length > 1 && !w.mp.customerService) {
      return passive(m, key, layoutSingle(reply, { publicUrl: w.publicUrl }, wechatTexts.more) ?? parts[0]);
    }
    const body = textReply(m, parts[0], now());
    await remember(key, { state: 'replied', body });
    if (parts.length > 1) await later(sessionId, m.FromUserName, reply.messageId, parts.slice(1), REST_DELAY_MS);
    return body;
  }

  async function later(sessionId: string, openId: string, id: string, parts: string[], delayMs = 0): Promise<void> {
    if (!parts.length) return;
    const conv = await o.records().conversationBySession(sessionId);
    if (!conv) {
      log.warn('no conversation for a deferred answer; not sent');
      return;
    }
    try {
      await wechat().deliver({ id, channel: MP_CHANNEL, conversationId: conv.id, contact: openId, parts, ...(delayMs ? { delayMs } : {}) });
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, messageId: id }, 'answer could not be queued for a customer-service message');
    }
  }

  return app;
}

/**
 * The Official Account's server API: the access token (fetched with AppID and AppSecret, cached
 * until shortly before it expires, shared by every instance through Redis) and the
 * customer-service message (客服消息) that carries answers outside the 5-second passive reply.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger.js';
import { PermanentDeliveryError, type OutboundJob, type OutboundSender } from './outbound.js';

/** An error answer of the WeChat API ({ errcode, errmsg }). */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    what: string,
  ) {
    super(`${what}: errcode ${errcode} ${errmsg}`);
    this.name = 'WechatApiError';
  }

  get code(): string {
    return String(this.errcode);
  }
}

/** The token is no longer valid (expired early, or another fetch replaced it): fetch again. */
const TOKEN_INVALID = new Set([40001, 40014, 42001]);
/** Retrying cannot help: outside the 48-hour window, unfollowed, unknown OpenID, message quota used. */
const PERMANENT: Record<number, string> = {
  45015: '已超过48小时客服消息时限（用户48小时内没有发消息）',
  43004: '用户已取消关注',
  40003: 'OpenID 无效',
  45047: '客服消息条数已达上限',
  40013: 'AppID 无效',
  40125: 'AppSecret 无效',
  40164: '调用接口的 IP 不在公众号白名单中',
};

export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Where the token is kept: this process, or Redis for every instance. */
export interface TokenCache {
  get(): Promise<CachedToken | null>;
  set(t: CachedToken): Promise<void>;
  /** Forgets the token, only if it is still this one (a newer one from another instance stays). */
  clear(token: string): Promise<void>;
  /** Whether this caller may fetch a new token now (one fetch at a time across instances). */
  lock(ms: number): Promise<boolean>;
  unlock(): Promise<void>;
}

export class MemoryTokenCache implements TokenCache {
  private t: CachedToken | null = null;
  async get() {
    return this.t;
  }
  async set(t: CachedToken) {
    this.t = t;
  }
  async clear(token: string) {
    if (this.t?.token === token) this.t = null;
  }
  async lock() {
    return true;
  }
  async unlock() {}
}

const CLEAR_IF_SAME = `if redis.call('GET', KEYS[1]) and cjson.decode(redis.call('GET', KEYS[1])).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisTokenCache implements TokenCache {
  private readonly key: string;
  private readonly lockKey: string;
  private readonly lockValue = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    appId: string,
  ) {
    this.key = `${prefix}:wechat:mp:token:${appId}`;
    this.lockKey = `${this.key}:lock`;
  }

  async get(): Promise<CachedToken | null> {
    const raw = await this.redis.get(this.key);
    return raw ? (JSON.parse(raw) as CachedToken) : null;
  }

  async set(t: CachedToken): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(t), 'PX', Math.max(1000, t.expiresAt - Date.now()));
  }

  async clear(token: string): Promise<void> {
    await this.redis.eval(CLEAR_IF_SAME, 1, this.key, token);
  }

  async lock(ms: number): Promise<boolean> {
    return (await this.redis.set(this.lockKey, this.lockValue, 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(): Promise<void> {
    await this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, this.lockKey, this.lockValue);
  }
}

export interface MpApiOptions {
  /** WECHAT_API_BASE, e.g. https://api.weixin.qq.com */
  base: string;
  appId: string;
  secret: string;
  cache: TokenCache;
  logger: Logger;
  /** Used this long before the token's own expiry (WeChat gives 7,200 s). */
  marginMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw Object.assign(new Error(`${what}: HTTP ${res.status}`), { code: `http_${res.status}` });
  return (await res.json()) as Record<string, unknown>;
}

/** The access token, fetched once for all callers and all instances, until shortly before it expires. */
export class AccessTokens {
  private inFlight: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(private readonly o: MpApiOptions) {
    this.now = o.now ?? Date.now;
  }

  async get(): Promise<string> {
    const cached = await this.o.cache.get();
    if (cached && cached.expiresAt > this.now()) return cached.token;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The token failed (40001 …): forget it, if no one has replaced it yet. */
  async invalidate(token: string): Promise<void> {
    await this.o.cache.clear(token);
  }

  private async refresh(): Promise<string> {
    const deadline = this.now() + 10_000;
    // Another instance may be fetching: wait for its token rather than replace it (a new token
    // ends the old one's life after a few minutes for everyone).
    while (!(await this.o.cache.lock(10_000))) {
      await sleep(100);
      const t = await this.o.cache.get();
      if (t && t.expiresAt > this.now()) return t.token;
      if (this.now() > deadline) break;
    }
    try {
      const again = await this.o.cache.get();
      if (again && again.expiresAt > this.now()) return again.token;
      const u = new URL('cgi-bin/token', this.o.base.replace(/\/*$/, '/'));
      u.searchParams.set('grant_type', 'client_credential');
      u.searchParams.set('appid', this.o.appId);
      u.searchParams.set('secret', this.o.secret);
      const body = await getJson(u.toString(), { method: 'GET' }, this.o.timeoutMs ?? 5000, 'access token');
      if (typeof body.access_token !== 'string' || !body.access_token) {
        const errcode = Number(body.errcode ?? -1);
        const err = new WechatApiError(errcode, String(body.errmsg ?? 'no access_token'), 'access token');
        // Never log the URL: it carries the AppSecret.
        this.o.logger.error({ errcode, errmsg: body.errmsg, hint: PERMANENT[errcode] }, 'could not get the Official Account access token; check WECHAT_MP_APPID, WECHAT_MP_SECRET and the IP whitelist');
        throw err;
      }
      const expiresIn = Number(body.expires_in ?? 7200) * 1000;
      const margin = Math.min(this.o.marginMs ?? 5 * 60_000, expiresIn / 2);
      const t = { token: body.access_token, expiresAt: this.now() + expiresIn - margin };
      await this.o.cache.set(t);
      this.o.logger.info({ expiresInSeconds: Math.round(expiresIn / 1000) }, 'Official Account access token refreshed');
      return t.token;
    } finally {
      await this.o.cache.unlock().catch(() => {});
    }
  }
}

/** Customer-service messages (POST /cgi-bin/message/custom/send), as the outbound queue's sender for wechat-mp. */
export class CustomerService implements OutboundSender {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly o: { base: string; timeoutMs?: number },
  ) {}

  async sendText(openId: string, content: string): Promise<void> {
    for (let tries = 1; ; tries++) {
      const token = await this.tokens.get();
      const u = new URL('cgi-bin/message/custom/send', this.o.base.replace(/\/*$/, '/'));
      u.searchParams.set('access_token', token);
      const body = await getJson(
        u.toString(),
        { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ touser: openId, msgtype: 'text', text: { content } }) },
        this.o.timeoutMs ?? 5000,
        'customer-service message',
      );
      const errcode = Number(body.errcode ?? 0);
      if (errcode === 0) return;
      if (TOKEN_INVALID.has(errcode) && tries < 2) {
        await this.tokens.invalidate(token);
        continue;
      }
      if (PERMANENT[errcode]) throw new PermanentDeliveryError(String(errcode), `${PERMANENT[errcode]}（${String(body.errmsg ?? '')}）`);
      // -1 (system busy), 45009 (frequency limit) and the rest: retried with backoff.
      throw new WechatApiError(errcode, String(body.errmsg ?? ''), 'customer-service message');
    }
  }

  send(job: OutboundJob, part: string): Promise<void> {
    return this.sendText(job.contact, part);
  }
}

/**
 * WeChat for the tests: signed Official Account requests built as WeChat builds them, and a real
 * local HTTP server (node:http) standing in for WeChat's token and customer-service APIs.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { mpSignature } from '../../src/channels/wechat/mp-xml.js';

export const MP_TOKEN = 'govchatTestToken2026';
export const MP_APPID = 'wx0123456789abcdef';
export const MP_SECRET = 'test-app-secret-0123456789abcdef';
export const MP_ACCOUNT = 'gh_0123456789ab';

/** The query string WeChat adds to every request: timestamp, nonce and their signature. */
export function signedQuery(token = MP_TOKEN, o: { timestamp?: number; nonce?: string; extra?: Record<string, string> } = {}): string {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? randomBytes(6).toString('hex');
  const q = new URLSearchParams({ signature: mpSignature(token, timestamp, nonce), timestamp, nonce, ...o.extra });
  return q.toString();
}

let msgIds = BigInt(Date.now()) * 1000n;
export const nextMsgId = () => String(++msgIds);

export function textXml(o: { from: string; content: string; msgId?: string; to?: string; at?: number }): string {
  const at = Math.floor((o.at ?? Date.now()) / 1000);
  return `<xml><ToUserName><![CDATA[${o.to ?? MP_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${o.from}]]></FromUserName><CreateTime>${at}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${o.content}]]></Content><MsgId>${o.msgId ?? nextMsgId()}</MsgId></xml>`;
}

export function eventXml(o: { from: string; event: string; at?: number; key?: string }): string {
  const at = Math.floor((o.at ?? Date.now()) / 1000);
  return `<xml><ToUserName><![CDATA[${MP_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${o.from}]]></FromUserName><CreateTime>${at}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${o.event}]]></Event>${o.key ? `<EventKey><![CDATA[${o.key}]]></EventKey>` : ''}</xml>`;
}

export function mediaXml(o: { from: string; type: 'image' | 'voice' | 'video' | 'location' | 'link'; recognition?: string }): string {
  const at = Math.floor(Date.now() / 1000);
  const extra = o.type === 'image' ? '<PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[media1]]></MediaId>' : o.type === 'voice' ? `<MediaId><![CDATA[media2]]></MediaId><Format><![CDATA[amr]]></Format>${o.recognition ? `<Recognition><![CDATA[${o.recognition}]]></Recognition>` : ''}` : '';
  return `<xml><ToUserName><![CDATA[${MP_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${o.from}]]></FromUserName><CreateTime>${at}</CreateTime><MsgType><![CDATA[${o.type}]]></MsgType>${extra}<MsgId>${nextMsgId()}</MsgId></xml>`;
}

export interface PassiveReply {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
  MsgType: string;
  Content: string;
}

/** Parses a passive reply back (as WeChat would). */
export function parseReply(xml: string): PassiveReply {
  const doc = new XMLParser({ parseTagValue: false }).parse(xml) as { xml: PassiveReply };
  return doc.xml;
}

export const openId = () => `o${randomBytes(14).toString('base64url')}`;

export interface SentMessage {
  token: string;
  touser: string;
  msgtype: string;
  content: string;
  at: number;
}

/**
 * WeChat's API as a local server: GET /cgi-bin/token hands out tokens ("TOKEN-1", "TOKEN-2" …;
 * only the newest is valid), POST /cgi-bin/message/custom/send records messages. Tests script
 * failures: an errcode for an OpenID (45015 …), or revoke the current token (40001 on next use).
 */
export class FakeWechatApi {
  readonly sent: SentMessage[] = [];
  tokenRequests = 0;
  sendRequests = 0;
  /** errcode answered for every send to these OpenIDs. */
  readonly failFor = new Map<string, number>();
  /** errcodes answered to the next sends, whoever they are for. */
  readonly nextErrors: number[] = [];
  private valid: string | null = null;
  private server: Server | null = null;
  url = '';
  private waiters: Array<() => void> = [];

  static async start(): Promise<FakeWechatApi> {
    const api = new FakeWechatApi();
    await api.listen();
    return api;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  private async handle(req: IncomingMessage): Promise<unknown> {
    const u = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'GET' && u.pathname === '/cgi-bin/token') {
      this.tokenRequests++;
      if (u.searchParams.get('appid') !== MP_APPID || u.searchParams.get('secret') !== MP_SECRET) return { errcode: 40125, errmsg: 'invalid appsecret' };
      this.valid = `TOKEN-${this.tokenRequests}`;
      return { access_token: this.valid, expires_in: 7200 };
    }
    if (req.method === 'POST' && u.pathname === '/cgi-bin/message/custom/send') {
      this.sendRequests++;
      const token = u.searchParams.get('access_token') ?? '';
      if (token !== this.valid) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { touser: string; msgtype: string; text: { content: string } };
      const scripted = this.nextErrors.shift() ?? this.failFor.get(body.touser);
      if (scripted) return { errcode: scripted, errmsg: `scripted ${scripted}` };
      this.sent.push({ token, touser: body.touser, msgtype: body.msgtype, content: body.text.content, at: Date.now() });
      for (const w of this.waiters.splice(0)) w();
      return { errcode: 0, errmsg: 'ok' };
    }
    return { errcode: 404, errmsg: 'no such api' };
  }

  /** The current token stops working (as when another client fetched a new one): next use gets 40001. */
  revoke(): void {
    this.valid = null;
  }

  to(openid: string): SentMessage[] {
    return this.sent.filter((m) => m.touser === openid);
  }

  /** Waits until `n` messages reached `openid` (or fails after `ms`). */
  async waitFor(openid: string, n = 1, ms = 8000): Promise<SentMessage[]> {
    const deadline = Date.now() + ms;
    while (this.to(openid).length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} customer-service message(s) to ${openid}, got ${this.to(openid).length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.to(openid);
  }

  async close(): Promise<void> {
    const s = this.server as (Server & { closeAllConnections?: () => void }) | null;
    s?.closeAllConnections?.();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}

/** Polls `check` until it returns a value (not undefined/null/false) or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 8000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

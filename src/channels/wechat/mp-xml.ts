/**
 * The Official Account's wire format: the signature of each request, the XML messages WeChat
 * posts, the passive XML reply, and (安全模式) the envelope an encrypted reply travels in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** SHA1 of the token, timestamp and nonce sorted and joined (WeChat's server verification). */
export function mpSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

/** Whether a request carries the right signature, compared in constant time. */
export function verifySignature(token: string, q: { signature?: string; timestamp?: string; nonce?: string }): boolean {
  if (!q.signature || !q.timestamp || !q.nonce) return false;
  return sameHex(q.signature, mpSignature(token, q.timestamp, q.nonce));
}

/** Two hex digests compared in constant time. */
export function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A message or event as WeChat posts it; every field a string (MsgId is 64-bit: never a number). */
export interface MpMessage {
  ToUserName: string;
  FromUserName: string;
  CreateTime: string;
  MsgType: string;
  Content?: string;
  MsgId?: string;
  Event?: string;
  EventKey?: string;
  /** Speech recognition of a voice message, when the account has it switched on. */
  Recognition?: string;
  /** Present in 安全模式 / 兼容模式 (AES): the message, encrypted (mp-crypto.ts opens it). */
  Encrypt?: string;
  [field: string]: string | undefined;
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const parser = new XMLParser({ parseTagValue: false, parseAttributeValue: false, ignoreAttributes: true, ignoreDeclaration: true, processEntities: true, trimValues: false });
const builder = new XMLBuilder({ cdataPropName: '__cdata' });

/** Parses a posted message; throws XmlError on anything that is not a flat WeChat <xml> message. */
export function parseMessage(body: string): MpMessage {
  // A DOCTYPE could declare entities (entity expansion); WeChat never sends one.
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new XmlError('DOCTYPE is not accepted');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new XmlError(`malformed XML: ${valid.err.msg}`);
  const doc = parser.parse(body) as { xml?: unknown };
  const xml = doc.xml;
  if (!xml || typeof xml !== 'object') throw new XmlError('not a WeChat message (no <xml> root)');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(xml as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    // Nested elements (e.g. ScanCodeInfo of menu events) are not used here.
  }
  if (!out.MsgType && out.Encrypt) return { ToUserName: out.ToUserName ?? '', FromUserName: '', CreateTime: '', MsgType: '', ...out };
  for (const f of ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType']) {
    if (!out[f]) throw new XmlError(`missing ${f}`);
  }
  return out as MpMessage;
}

/** The passive reply to a message: a text message from the account to the citizen. */
export function textReply(to: MpMessage, content: string, now = Date.now()): string {
  return builder.build({
    xml: {
      ToUserName: { __cdata: to.FromUserName },
      FromUserName: { __cdata: to.ToUserName },
      CreateTime: Math.floor(now / 1000),
      MsgType: { __cdata: 'text' },
      Content: { __cdata: content },
    },
  }) as string;
}

/** The envelope of an encrypted passive reply (安全模式): the ciphertext and its signature. */
export function encryptedReply(e: { encrypt: string; signature: string; timestamp: number; nonce: string }): string {
  return builder.build({
    xml: { Encrypt: { __cdata: e.encrypt }, MsgSignature: { __cdata: e.signature }, TimeStamp: e.timestamp, Nonce: { __cdata: e.nonce } },
  }) as string;
}

/**
 * 安全模式 (AES) of the Official Account: WeChat encrypts each message with the account's
 * EncodingAESKey and signs the ciphertext (msg_signature); the passive reply goes back encrypted
 * the same way. The scheme (WXBizMsgCrypt: AES-256-CBC over random16 + length + message + AppID)
 * is the one WeCom uses too, implemented by Tencent's @wecom/crypto.
 */
import { randomInt } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { encryptedReply, sameHex } from './mp-xml.js';

export interface MpAes {
  /** EncodingAESKey: 43 characters from the Official Account console. */
  key: string;
  /** The account's AppID: every message names it as its receiver. */
  appId: string;
}

export class MpCryptoError extends Error {
  constructor(
    readonly code: 'bad_msg_signature' | 'bad_encrypt' | 'wrong_receiver',
    message: string,
  ) {
    super(message);
    this.name = 'MpCryptoError';
  }
}

/** The message inside an encrypted request, once its msg_signature and receiver are checked. */
export function openMessage(aes: MpAes, token: string, q: { timestamp?: string; nonce?: string; msg_signature?: string }, encrypted: string): string {
  if (!q.msg_signature || !q.timestamp || !q.nonce || !sameHex(q.msg_signature, getSignature(token, q.timestamp, q.nonce, encrypted))) {
    throw new MpCryptoError('bad_msg_signature', 'msg_signature does not match the encrypted message');
  }
  let opened: { message: string; id: string };
  try {
    opened = decrypt(aes.key, encrypted);
  } catch (e) {
    throw new MpCryptoError('bad_encrypt', `the message does not decrypt: ${(e as Error).message}`);
  }
  // A wrong key decrypts to noise, whose receiver is not this account.
  if (opened.id !== aes.appId) throw new MpCryptoError('wrong_receiver', 'the message is not addressed to this Official Account (AppID or EncodingAESKey differ)');
  return opened.message;
}

/** A passive reply (its XML) encrypted for WeChat, in its signed envelope. */
export function sealReply(aes: MpAes, token: string, xml: string, now = Date.now()): string {
  const ciphertext = encrypt(aes.key, xml, aes.appId);
  const timestamp = Math.floor(now / 1000);
  const nonce = String(randomInt(1e9));
  return encryptedReply({ encrypt: ciphertext, signature: getSignature(token, timestamp, nonce, ciphertext), timestamp, nonce });
}

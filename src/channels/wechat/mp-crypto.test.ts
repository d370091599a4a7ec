import { getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { MpCryptoError, openMessage, sealReply } from './mp-crypto.js';
import { parseMessage } from './mp-xml.js';

// Tencent's published test vector for the message encryption (the WXBizMsgCrypt samples; the same
// scheme in WeCom's "加解密方案说明"): token, EncodingAESKey, receiver and one signed, encrypted message.
const VECTOR = {
  token: 'QDG6eK',
  aes: { key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', appId: 'wx5823bf96d3bd56c7' },
  query: { timestamp: '1409659813', nonce: '1372623149', msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6' },
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
};

describe('Official Account message encryption (安全模式)', () => {
  it('opens Tencent\'s test message: signature checked, receiver checked, the XML inside', () => {
    const m = parseMessage(openMessage(VECTOR.aes, VECTOR.token, VECTOR.query, VECTOR.encrypt));
    expect(m).toMatchObject({ ToUserName: 'wx5823bf96d3bd56c7', FromUserName: 'mycreate', MsgType: 'text', Content: 'hello', MsgId: '4561255354251345929' });
  });

  it('refuses a wrong msg_signature, a message for another account, and ciphertext that does not decrypt', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof MpCryptoError ? e.code : String(e);
      }
      return 'opened';
    };
    expect(code(() => openMessage(VECTOR.aes, VECTOR.token, { ...VECTOR.query, msg_signature: '0'.repeat(40) }, VECTOR.encrypt))).toBe('bad_msg_signature');
    expect(code(() => openMessage(VECTOR.aes, 'another', VECTOR.query, VECTOR.encrypt))).toBe('bad_msg_signature');
    expect(code(() => openMessage({ ...VECTOR.aes, appId: 'wx0123456789abcdef' }, VECTOR.token, VECTOR.query, VECTOR.encrypt))).toBe('wrong_receiver');
    const other = { key: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: VECTOR.aes.appId };
    expect(['bad_encrypt', 'wrong_receiver']).toContain(code(() => openMessage(other, VECTOR.token, VECTOR.query, VECTOR.encrypt)));
    const broken = 'AAAA' + VECTOR.encrypt.slice(8);
    expect(['bad_encrypt', 'wrong_receiver']).toContain(code(() => openMessage(VECTOR.aes, VECTOR.token, { ...VECTOR.query, msg_signature: getSignature(VECTOR.token, VECTOR.query.timestamp, VECTOR.query.nonce, broken) }, broken)));
  });

  it('seals a reply WeChat can check and open: signed envelope, the same XML inside', () => {
    const xml = '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><Content><![CDATA[您好，身份证补领要带户口簿]]></Content></xml>';
    const envelope = parseMessage(sealReply(VECTOR.aes, VECTOR.token, xml, Date.UTC(2026, 11, 2)));
    const sealed = envelope as unknown as { Encrypt: string; MsgSignature: string; TimeStamp: string; Nonce: string };
    expect(sealed.TimeStamp).toBe(String(Date.UTC(2026, 11, 2) / 1000));
    expect(sealed.MsgSignature).toBe(getSignature(VECTOR.token, sealed.TimeStamp, sealed.Nonce, sealed.Encrypt));
    expect(openMessage(VECTOR.aes, VECTOR.token, { timestamp: sealed.TimeStamp, nonce: sealed.Nonce, msg_signature: sealed.MsgSignature }, sealed.Encrypt)).toBe(xml);
  });
});

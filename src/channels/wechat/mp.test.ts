/**
 * The Official Account webhook over the real app and services, with requests signed as WeChat
 * signs them: verification, passive XML answers, signatures, retries, events, non-text messages.
 * (Customer-service delivery through a stand-in WeChat API: test/integration/wechat-mp-delivery.test.ts.)
 */
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { testApp, type TestApp } from '../../../test/support/app.js';
import { eventXml, mediaXml, MP_ACCOUNT, MP_APPID, MP_TOKEN, nextMsgId, openId, parseReply, signedQuery, textXml } from '../../../test/support/wechat.js';
import { MP_CHANNEL } from './contacts.js';
import { mpSignature } from './mp-xml.js';
import { utf8Bytes } from './layout.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: { WECHAT_MP_TOKEN: MP_TOKEN, PUBLIC_URL: 'https://zwfw.example.gov.cn' } });
});
afterAll(async () => {
  await t?.dispose();
});

const post = (xml: string, query = signedQuery()) => Promise.resolve(t.app.request(`/api/wechat/mp?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml }));

async function ask(from: string, content: string, msgId?: string) {
  const res = await post(textXml({ from, content, msgId }));
  expect(res.status).toBe(200);
  const body = await res.text();
  expect(res.headers.get('content-type')).toMatch(/xml/);
  return parseReply(body);
}

const conversationOf = (openid: string) => t.services.records.conversationBySession(t.services.wechat.contacts.sessionId(MP_CHANNEL, openid));

describe('Official Account webhook: verification and signatures', () => {
  it('echoes echostr to a correctly signed GET', async () => {
    const res = await t.app.request(`/api/wechat/mp?${signedQuery(MP_TOKEN, { extra: { echostr: '8827364517283' } })}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('8827364517283');
  });

  it('refuses a GET with a wrong or missing signature (401, error shape)', async () => {
    const wrong = await t.app.request(`/api/wechat/mp?${signedQuery('anotherToken', { extra: { echostr: 'x' } })}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'bad_signature', message: expect.any(String) } });
    const none = await t.app.request('/api/wechat/mp?echostr=x');
    expect(none.status).toBe(401);
  });

  it('refuses a POST with a bad signature and stores nothing', async () => {
    const who = openId();
    const q = new URLSearchParams(signedQuery());
    q.set('signature', mpSignature(MP_TOKEN, q.get('timestamp')!, 'another-nonce'));
    const res = await post(textXml({ from: who, content: '身份证丢了怎么补办' }), q.toString());
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('bad_signature');
    expect(await conversationOf(who)).toBeUndefined();
  });

  it('refuses a correctly signed POST whose timestamp is an hour old', async () => {
    const who = openId();
    const res = await post(textXml({ from: who, content: '你好' }), signedQuery(MP_TOKEN, { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('stale_request');
    expect(await conversationOf(who)).toBeUndefined();
  });

  it('answers 404 with the error shape when WECHAT_MP_TOKEN is not set', async () => {
    const app = createApp({ ...t.services, config: { ...t.services.config, WECHAT_MP_TOKEN: undefined } });
    const res = await app.request(`/api/wechat/mp?${signedQuery(MP_TOKEN, { extra: { echostr: 'x' } })}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_configured');
  });

  it('rejects bodies that are not WeChat XML: malformed, a DOCTYPE, too large', async () => {
    expect((await post('<xml><ToUserName>')).status).toBe(400);
    expect((await post('<!DOCTYPE x [<!ENTITY a "b">]><xml><Content>&a;</Content></xml>')).status).toBe(400);
    const big = await post(textXml({ from: openId(), content: '办'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('payload_too_large');
  });
});

describe('Official Account webhook: messages', () => {
  it('answers a text message with a passive XML reply citing the guide, with its link', async () => {
    const who = openId();
    const r = await ask(who, '身份证丢了怎么补办');
    expect(r).toMatchObject({ ToUserName: who, FromUserName: MP_ACCOUNT, MsgType: 'text' });
    expect(Number(r.CreateTime)).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(r.Content).toContain('居民身份证补领');
    expect(r.Content).toContain('https://zwfw.example.gov.cn/guides/id-card-replacement');
    expect(r.Content).toMatch(/回复 1：/);
    expect(utf8Bytes(r.Content)).toBeLessThanOrEqual(2048);
    expect(r.Content).not.toMatch(/\*\*|<[a-z]+>|\]\(/);
    const conv = await conversationOf(who);
    expect(conv).toMatchObject({ channel: MP_CHANNEL, contact: who });
  });

  it('carries follow-ups and "1" in the same conversation', async () => {
    const who = openId();
    const first = await ask(who, '身份证丢了怎么补办');
    const fee = await ask(who, '要多少钱');
    expect(fee.Content).toContain('居民身份证补领 · 收费标准');
    expect(fee.Content).toContain('40元');
    const choice = /回复 1：(.+)/.exec(fee.Content)![1];
    const picked = await ask(who, '1');
    expect(picked.Content).not.toBe(fee.Content);
    expect(picked.Content).toContain('居民身份证补领');
    expect(first.Content).not.toBe(picked.Content);
    const conv = await conversationOf(who);
    const msgs = await t.services.records.listMessages(conv!.id);
    expect(msgs.filter((m) => m.role === 'citizen').map((m) => m.text)).toEqual(['身份证丢了怎么补办', '要多少钱', '1']);
    expect(choice.length).toBeGreaterThan(0);
  });

  it('answers WeChat\'s retries of a MsgId with the same reply and processes the message once', async () => {
    const who = openId();
    const msgId = nextMsgId();
    const xml = textXml({ from: who, content: '居住证怎么办理', msgId });
    const [a, b, c] = await Promise.all([post(xml), post(xml), post(xml)]);
    const bodies = await Promise.all([a.text(), b.text(), c.text()]);
    expect(new Set(bodies).size).toBe(1);
    expect(parseReply(bodies[0]).Content).toContain('居住证');
    const again = await post(xml);
    expect(await again.text()).toBe(bodies[0]);
    const conv = await conversationOf(who);
    const msgs = await t.services.records.listMessages(conv!.id);
    expect(msgs.filter((m) => m.role === 'citizen')).toHaveLength(1);
    expect(msgs.filter((m) => m.role === 'bot')).toHaveLength(1);
  });

  it('fits a long answer in the one passive reply, pointing to the guide, when customer-service messages are not configured', async () => {
    const r = await ask(openId(), '办营业执照要带什么材料');
    expect(utf8Bytes(r.Content)).toBeLessThanOrEqual(2048);
    expect(r.Content).not.toMatch(/^（1\//);
    expect(r.Content).toMatch(/^1\. /m);
    expect(r.Content).toMatch(/内容较长，完整内容请打开：https:\/\/zwfw\.example\.gov\.cn\/guides\/\S+$/);
  });

  it('welcomes a new follower with example questions, and takes an unfollow quietly', async () => {
    const who = openId();
    const res = await post(eventXml({ from: who, event: 'subscribe' }));
    const r = parseReply(await res.text());
    expect(r.ToUserName).toBe(who);
    expect(r.Content).toContain('欢迎关注');
    expect(r.Content).toContain('身份证丢了怎么办');
    expect(r.Content).toContain('转人工');
    const bye = await post(eventXml({ from: who, event: 'unsubscribe' }));
    expect(bye.status).toBe(200);
    expect(await bye.text()).toBe('success');
  });

  it('takes a citizen who unfollowed while waiting for staff out of the queue', async () => {
    const who = openId();
    await ask(who, '身份证丢了怎么补办');
    const queued = await ask(who, '转人工');
    expect(queued.Content).toMatch(/转接|排队|人工/);
    expect((await conversationOf(who))!.status).toBe('waiting');
    await post(eventXml({ from: who, event: 'unsubscribe' }));
    expect((await conversationOf(who))!.status).toBe('bot');
  });

  it('answers pictures and voice politely, saying only text is understood, and reads recognised speech as text', async () => {
    const who = openId();
    const pic = parseReply(await (await post(mediaXml({ from: who, type: 'image' }))).text());
    expect(pic.Content).toContain('只能看懂文字');
    expect(pic.Content).toContain('图片');
    expect(pic.Content).toContain('转人工');
    const voice = parseReply(await (await post(mediaXml({ from: who, type: 'voice' }))).text());
    expect(voice.Content).toContain('语音');
    const spoken = parseReply(await (await post(mediaXml({ from: who, type: 'voice', recognition: '身份证丢了怎么补办。' }))).text());
    expect(spoken.Content).toContain('居民身份证补领');
  });

  it('asks for a shorter message beyond MAX_MESSAGE_CHARS, without calling the dialogue', async () => {
    const who = openId();
    const r = await ask(who, '我想问一下'.repeat(120));
    expect(r.Content).toContain('不超过 500 个字');
    expect(await conversationOf(who)).toBeUndefined();
  });

  it('tells a citizen over RATE_LIMIT_SESSION_PER_MIN to slow down, in the chat, without calling the dialogue; others are unaffected', async () => {
    const limited = await testApp({ env: { WECHAT_MP_TOKEN: MP_TOKEN, RATE_LIMIT_SESSION_PER_MIN: '2' } });
    try {
      const send = async (from: string, content: string, msgId = nextMsgId()) => {
        const res = await limited.app.request(`/api/wechat/mp?${signedQuery()}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: textXml({ from, content, msgId }) });
        expect(res.status).toBe(200);
        return parseReply(await res.text());
      };
      const who = openId();
      expect((await send(who, '身份证丢了怎么办')).Content).toContain('身份证');
      expect((await send(who, '要多少钱')).Content).not.toContain('请等一分钟');
      const msgId = nextMsgId();
      expect((await send(who, '护照怎么办', msgId)).Content).toContain('请等一分钟再发');
      // WeChat's retry of that message gets the same words, and counts no further.
      expect((await send(who, '护照怎么办', msgId)).Content).toContain('请等一分钟再发');
      const conv = await limited.services.records.conversationBySession(limited.services.wechat.contacts.sessionId(MP_CHANNEL, who));
      expect((await limited.services.records.listMessages(conv!.id)).filter((m) => m.role === 'citizen').map((m) => m.text)).toEqual(['身份证丢了怎么办', '要多少钱']);
      expect((await send(openId(), '护照怎么办')).Content).toContain('护照');
    } finally {
      await limited.dispose();
    }
  });

  it('answers "success" to an encrypted (安全模式) message and stores nothing', async () => {
    const res = await post(`<xml><ToUserName><![CDATA[${MP_ACCOUNT}]]></ToUserName><Encrypt><![CDATA[bm90IGRlY3J5cHRlZA==]]></Encrypt></xml>`, signedQuery(MP_TOKEN, { extra: { encrypt_type: 'aes' } }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('success');
  });

  it('is listed in /openapi.json', async () => {
    const doc = (await (await t.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/wechat/mp'] ?? {}).sort()).toEqual(['get', 'post']);
  });
});

describe('Official Account webhook in 安全模式 (WECHAT_MP_AES_KEY)', () => {
  const AES_KEY = 'Gov0chat1Test2Encoding3Aes4Key5Of643Chars78';
  let sec: TestApp;
  beforeAll(async () => {
    sec = await testApp({ env: { WECHAT_MP_TOKEN: MP_TOKEN, WECHAT_MP_AES_KEY: AES_KEY, WECHAT_MP_APPID: MP_APPID } });
  });
  afterAll(async () => {
    await sec?.dispose();
  });

  /** What WeChat posts in 安全模式: the message encrypted for the account, msg_signature over the ciphertext. */
  const postEncrypted = (inner: string, o: { appId?: string; msgSignature?: string } = {}) => {
    const ciphertext = encrypt(AES_KEY, inner, o.appId ?? MP_APPID);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '1372623149';
    const query = signedQuery(MP_TOKEN, { timestamp: Number(timestamp), nonce, extra: { encrypt_type: 'aes', msg_signature: o.msgSignature ?? getSignature(MP_TOKEN, timestamp, nonce, ciphertext) } });
    const body = `<xml><ToUserName><![CDATA[${MP_ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`;
    return Promise.resolve(sec.app.request(`/api/wechat/mp?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body }));
  };
  /** What WeChat does with the encrypted reply: checks its signature and decrypts it. */
  const openReply = (xml: string) => {
    const env = parseReply(xml) as unknown as { Encrypt: string; MsgSignature: string; TimeStamp: string; Nonce: string };
    expect(env.MsgSignature).toBe(getSignature(MP_TOKEN, env.TimeStamp, env.Nonce, env.Encrypt));
    const { message, id } = decrypt(AES_KEY, env.Encrypt);
    expect(id).toBe(MP_APPID);
    return parseReply(message);
  };
  const conversationIn = (openid: string) => sec.services.records.conversationBySession(sec.services.wechat.contacts.sessionId(MP_CHANNEL, openid));

  it('decrypts a message, answers it and encrypts the passive reply', async () => {
    const who = openId();
    const res = await postEncrypted(textXml({ from: who, content: '身份证丢了怎么补办' }));
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).not.toContain('身份证');
    const reply = openReply(xml);
    expect(reply.ToUserName).toBe(who);
    expect(reply.Content).toContain('居民身份证补领');
    const conv = await conversationIn(who);
    expect((await sec.services.records.listMessages(conv!.id)).map((m) => m.role)).toEqual(['citizen', 'bot']);
  });

  it('refuses a wrong msg_signature or a message for another account (401), storing nothing', async () => {
    for (const o of [{ msgSignature: '0'.repeat(40) }, { appId: 'wx00000000000000ff' }]) {
      const who = openId();
      const res = await postEncrypted(textXml({ from: who, content: '身份证丢了怎么补办' }), o);
      expect(res.status, JSON.stringify(o)).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/bad_msg_signature|wrong_receiver/);
      expect(await conversationIn(who)).toBeUndefined();
    }
  });

  it('still takes plaintext messages (兼容模式 sends both; the signature guards either)', async () => {
    const who = openId();
    const res = await sec.app.request(`/api/wechat/mp?${signedQuery()}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: textXml({ from: who, content: '护照怎么办' }) });
    expect(parseReply(await res.text()).Content).toContain('护照');
  });

  it('will not start with an EncodingAESKey but no AppID', async () => {
    await expect(testApp({ env: { WECHAT_MP_TOKEN: MP_TOKEN, WECHAT_MP_AES_KEY: AES_KEY } })).rejects.toThrow(/WECHAT_MP_AES_KEY is set but WECHAT_MP_APPID is not/);
  });
});


import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../records/schema.js';

/** The channel names conversations from WeChat carry. */
export const WECHATY_CHANNEL = 'wechat';
export const MP_CHANNEL = 'wechat-mp';
export type WechatChannelName = typeof WECHATY_CHANNEL | typeof MP_CHANNEL;

const SECRET_NAME = 'wechat-session-key';

/**
 * The key WeChat session ids are derived with: from GOVCHAT_SECRET when it is set (so every
 * instance agrees without the database), else a random key stored in the database on first use
 * (every instance sharing the database reads the same one, and it survives restarts).
 */
export async function sessionKeyMaterial(db: Kysely<Database>, govchatSecret: string | undefined): Promise<Buffer> {
  if (govchatSecret) return createHmac('sha256', govchatSecret).update('govchat wechat session ids v1').digest();
  const fresh = randomBytes(32).toString('base64url');
  // Two instances starting at once: the first insert wins, both read it back.
  await db
    .insertInto('channel_secrets')
    .values({ name: SECRET_NAME, value: fresh, created_at: Date.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('channel_secrets').select('value').where('name', '=', SECRET_NAME).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}

/**
 * Session ids for WeChat contacts. A contact's id (a WeChat OpenID, a Wechaty contact id) is
 * known to others, so it is never used as the session id, which is a bearer secret: the id is
 * an HMAC of it, stable (the same contact finds its conversation after a restart, on any
 * instance) and unguessable without the key.
 */
export class ContactSessions {
  constructor(private readonly key: Buffer) {}

  static async open(db: Kysely<Database>, govchatSecret: string | undefined): Promise<ContactSessions> {
    return new ContactSessions(await sessionKeyMaterial(db, govchatSecret));
  }

  /** The session id of a contact on a channel (base64url, 32 characters: acceptableSessionId). */
  sessionId(channel: WechatChannelName, contact: string): string {
    return createHmac('sha256', this.key).update(`session\n${channel}\n${contact}`).digest().subarray(0, 24).toString('base64url');
  }

  /** A short reference to a contact for logs, so that logs never carry an OpenID or contact id. */
  ref(contact: string): string {
    return createHmac('sha256', this.key).update(`log\n${contact}`).digest('base64url').slice(0, 10);
  }
}

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface PurgeResult {
  cutoff: number;
  conversations: number;
  messages: number;
  unanswered: number;
  audit: number;
  staffSessions: number;
}

const BATCH = 500;

/**
 * Deletes what is older than the retention period (RETENTION_DAYS; the Cybersecurity Law asks
 * for at least six months of logs): conversations whose last activity is older, with their
 * messages, drafts, handoffs, ratings and follow-ups; unanswered-question rows; audit entries;
 * and ended staff sessions. A conversation with a 差评 follow-up still open is kept until it is
 * answered. Deletes run in small batches, each in its own transaction, so a large purge never
 * holds long locks. Schedule it daily (worker) or from cron: `npm run records -- purge`.
 */
export async function purgeExpired(db: Kysely<Database>, days: number, opts: { now?: number } = {}): Promise<PurgeResult> {
  if (!Number.isFinite(days) || days < 1) throw new Error(`retention must be at least one day, got ${days}`);
  const now = opts.now ?? Date.now();
  const cutoff = now - days * 24 * 3600_000;
  const result: PurgeResult = { cutoff, conversations: 0, messages: 0, unanswered: 0, audit: 0, staffSessions: 0 };

  for (;;) {
    const ids = (
      await db
        .selectFrom('conversations as c')
        .select('c.id')
        .where('c.updated_at', '<', cutoff)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('followups as f').select('f.id').whereRef('f.conversation_id', '=', 'c.id').where('f.status', '=', 'open'))))
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (!ids.length) break;
    await db.transaction().execute(async (trx) => {
      // Children explicitly, not only by ON DELETE CASCADE: a database restored without foreign
      // keys (or SQLite opened without them) still loses nothing it should not keep.
      const ratingIds = (await trx.selectFrom('ratings').select('id').where('conversation_id', 'in', ids).execute()).map((r) => r.id);
      if (ratingIds.length) await trx.deleteFrom('followups').where('rating_id', 'in', ratingIds).execute();
      await trx.deleteFrom('followups').where('conversation_id', 'in', ids).execute();
      await trx.deleteFrom('ratings').where('conversation_id', 'in', ids).execute();
      await trx.deleteFrom('handoffs').where('conversation_id', 'in', ids).execute();
      await trx.deleteFrom('form_drafts').where('conversation_id', 'in', ids).execute();
      const m = await trx.deleteFrom('messages').where('conversation_id', 'in', ids).executeTakeFirst();
      await trx.deleteFrom('unanswered').where('conversation_id', 'in', ids).execute();
      const c = await trx.deleteFrom('conversations').where('id', 'in', ids).executeTakeFirst();
      result.messages += Number(m.numDeletedRows);
      result.conversations += Number(c.numDeletedRows);
    });
    if (ids.length < BATCH) break;
  }

  const u = await db.deleteFrom('unanswered').where('created_at', '<', cutoff).executeTakeFirst();
  result.unanswered = Number(u.numDeletedRows);
  const a = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
  result.audit = Number(a.numDeletedRows);
  const dayAgo = now - 24 * 3600_000;
  const s = await db
    .deleteFrom('staff_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', dayAgo), eb('revoked_at', '<', dayAgo)]))
    .executeTakeFirst();
  result.staffSessions = Number(s.numDeletedRows);
  return result;
}

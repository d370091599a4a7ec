import { createHash, timingSafeEqual } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { unauthorized } from '../platform/errors.js';
import { validationHook, type AppEnv } from '../platform/http.js';
import { ErrorSchema } from '../platform/openapi.js';
import type { Database } from '../records/schema.js';
import { RecordBatchesSchema, type RecordBatch } from './batch.js';
import { limitBody } from '../platform/body-limit.js';

/** Bearer-token check in constant time (hashes first, so lengths do not leak either). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Stores turns answered at the edge. Idempotent: the edge retries a batch until it is acknowledged,
 * so a message already stored (same id) is skipped, the conversation is found by its session key,
 * and an older batch never overwrites the state of a newer one.
 */
export async function storeRecordBatches(db: Kysely<Database>, batches: RecordBatch[]): Promise<{ batches: number; messages: number }> {
  let messages = 0;
  await db.transaction().execute(async (trx) => {
    for (const b of batches) {
      const c = b.conversation;
      let conv = await trx.selectFrom('conversations').select(['id', 'updated_at']).where('session_key', '=', c.session_key).executeTakeFirst();
      if (!conv) {
        await trx
          .insertInto('conversations')
          .values({
            id: c.id,
            session_key: c.session_key,
            channel: c.channel,
            status: 'bot',
            department: null,
            guide_id: null,
            state: null,
            contact: c.contact,
            assigned_to: null,
            created_at: c.created_at,
            updated_at: c.created_at,
            closed_at: null,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
        conv = await trx.selectFrom('conversations').select(['id', 'updated_at']).where('session_key', '=', c.session_key).executeTakeFirstOrThrow();
      }
      for (const m of b.messages) {
        const r = await trx
          .insertInto('messages')
          .values({ ...m, conversation_id: conv.id })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        messages += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      await trx
        .updateTable('conversations')
        .set({ ...(b.update ?? {}), updated_at: b.at })
        .where('id', '=', conv.id)
        .where('updated_at', '<=', b.at)
        .execute();
    }
  });
  return { batches: batches.length, messages };
}

const ingestRoute = createRoute({
  method: 'post',
  path: '/api/edge/records',
  tags: ['edge'],
  summary: 'Turns answered at the edge (Cloudflare Workers), recorded at the origin; bearer EDGE_INGEST_TOKEN',
  request: { body: { content: { 'application/json': { schema: RecordBatchesSchema } }, required: true } },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ batches: z.number(), messages: z.number() }) } }, description: 'Stored (messages counts only new ones)' },
    400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Invalid batch' },
    401: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Missing or wrong token' },
  },
});

/** POST /api/edge/records on the origin; mounted only when EDGE_INGEST_TOKEN is set. */
export function edgeIngestRoutes(opts: { db: Kysely<Database>; token: string }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('/api/edge/records', async (c, next) => {
    const auth = c.req.header('authorization') ?? '';
    if (!tokenMatches(/^Bearer (.+)$/i.exec(auth)?.[1], opts.token)) throw unauthorized('edge token missing or wrong');
    await next();
  });
  app.use(
    '/api/edge/records',
    limitBody({ maxBytes: 8 * 1024 * 1024, message: 'record batch over 8 MiB' }),
  );
  app.openapi(ingestRoute, async (c) => c.json(await storeRecordBatches(opts.db, c.req.valid('json').batches), 200));
  return app;
}

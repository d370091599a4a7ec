import { z } from 'zod';

/**
 * One dialogue turn answered at the edge, as the origin records it: the conversation (created at
 * the edge, keyed by the session key so the origin finds it again), the turn's messages with their
 * edge-made ids (so a retried batch is stored once), and the conversation's state after the turn.
 * Pure data: the worker builds it, the origin's POST /api/edge/records stores it.
 */
export const RecordBatchSchema = z.object({
  v: z.literal(1),
  conversation: z.object({
    id: z.string().min(1).max(64),
    session_key: z.string().min(1).max(128),
    channel: z.string().min(1).max(32),
    contact: z.string().max(256).nullable(),
    created_at: z.number().int().nonnegative(),
  }),
  messages: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        role: z.enum(['citizen', 'bot', 'staff', 'system']),
        author: z.string().max(256).nullable(),
        type: z.string().max(32).nullable(),
        text: z.string().max(100_000),
        payload: z.string().nullable(),
        evidence: z.string().nullable(),
        intent: z.string().max(32).nullable(),
        created_at: z.number().int().nonnegative(),
      }),
    )
    .max(50),
  /** Conversation fields after the turn (the session state, the guide it is about). */
  update: z.object({ state: z.string().nullable().optional(), guide_id: z.string().nullable().optional() }).nullable(),
  /** When the turn ended at the edge; an older batch never overwrites a newer state. */
  at: z.number().int().nonnegative(),
});
export type RecordBatch = z.infer<typeof RecordBatchSchema>;

export const RecordBatchesSchema = z.object({ batches: z.array(RecordBatchSchema).min(1).max(100) });

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../records/migrations.js';

/**
 * Columns the handoff timers need on `handoffs` (the table itself is in the initial migration):
 * when it entered the current queue, when it was escalated, when a left message was offered, and
 * the last message while staff hold it (for the idle close).
 */
export function handoffMigrations(_dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  type Db = Kysely<any>;
  const ms = 'bigint' as const;
  return {
    '2026-12-01-handoff-001-timers': {
      async up(db: Db) {
        for (const col of ['queued_at', 'escalated_at', 'offered_at', 'activity_at']) {
          await db.schema.alterTable('handoffs').addColumn(col, ms).execute();
        }
        await db.schema.createIndex('handoffs_department_closed').on('handoffs').columns(['department', 'closed_at']).execute();
      },
      async down(db: Db) {
        await db.schema.dropIndex('handoffs_department_closed').ifExists().execute();
        for (const col of ['queued_at', 'escalated_at', 'offered_at', 'activity_at']) {
          await db.schema.alterTable('handoffs').dropColumn(col).execute();
        }
      },
    },
  };
}

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../records/migrations.js';

/**
 * Staff sessions: one row per login, so logout ends exactly that login, while disabling an
 * account or resetting its password ends all of them — on every instance, since the row lives in
 * the shared database and is checked on each request.
 */
export function staffMigrations(_dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  type Db = Kysely<any>;
  const ms = 'bigint' as const;
  return {
    '2026-12-01-staff-001-sessions': {
      async up(db: Db) {
        await db.schema
          .createTable('staff_sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('expires_at', ms, (c) => c.notNull())
          .addColumn('revoked_at', ms)
          .addColumn('ip', 'text')
          .execute();
        await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').column('staff_id').execute();
        await db.schema.createIndex('staff_sessions_expires').on('staff_sessions').column('expires_at').execute();
        await db.schema.alterTable('staff').addColumn('last_login_at', ms).execute();
        await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor', 'at']).execute();
        await db.schema.createIndex('audit_action').on('audit_log').columns(['action', 'at']).execute();
      },
      async down(db: Db) {
        await db.schema.dropIndex('audit_action').ifExists().execute();
        await db.schema.dropIndex('audit_actor').ifExists().execute();
        await db.schema.dropTable('staff_sessions').ifExists().execute();
        await db.schema.alterTable('staff').dropColumn('last_login_at').execute();
      },
    },
  };
}

import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../records/migrations.js';

/** 常用语 (canned replies): the first schema made the table; the console needs a label and who changed it. */
export function consoleMigrations(_dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  type Db = Kysely<any>;
  return {
    '2026-12-02-console-001-canned-replies': {
      async up(db: Db) {
        await db.schema.alterTable('canned_replies').addColumn('title', 'text').execute();
        await db.schema.alterTable('canned_replies').addColumn('updated_at', 'bigint').execute();
        await db.schema.alterTable('canned_replies').addColumn('updated_by', 'text').execute();
        await db.schema.createIndex('canned_replies_department').on('canned_replies').column('department').execute();
      },
      async down(db: Db) {
        await db.schema.dropIndex('canned_replies_department').ifExists().execute();
        for (const c of ['updated_by', 'updated_at', 'title']) await db.schema.alterTable('canned_replies').dropColumn(c).execute();
      },
    },
  };
}

import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { handoffMigrations } from '../handoff/migrations.js';
import { staffMigrations } from '../staff/migrations.js';
import { wechatMigrations } from '../channels/wechat/migrations.js';
import { consoleMigrations } from '../console/migrations.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Schema migrations, in code so they ship with the build and run on start-up. Each one works on
 * SQLite and PostgreSQL; the only difference is how an auto-incrementing key is declared.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  type Db = Kysely<any>;
  const serial = (db: Db, table: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn('seq', 'bigserial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  const ms = 'bigint' as const;

  return {
    '2025-11-25-001-initial': {
      async up(db: Db) {
        await db.schema
          .createTable('conversations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('session_key', 'text', (c) => c.notNull().unique())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('bot'))
          .addColumn('department', 'text')
          .addColumn('guide_id', 'text')
          .addColumn('state', 'text')
          .addColumn('contact', 'text')
          .addColumn('assigned_to', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('updated_at', ms, (c) => c.notNull())
          .addColumn('closed_at', ms)
          .execute();
        await db.schema.createIndex('conversations_created').on('conversations').column('created_at').execute();
        await db.schema.createIndex('conversations_contact').on('conversations').columns(['channel', 'contact']).execute();

        await serial(db, 'messages')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('author', 'text')
          .addColumn('type', 'text')
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('payload', 'text')
          .addColumn('evidence', 'text')
          .addColumn('intent', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'seq']).execute();
        await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();

        await db.schema
          .createTable('form_drafts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
          .addColumn('form_id', 'text', (c) => c.notNull())
          .addColumn('guide_id', 'text')
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('updated_at', ms, (c) => c.notNull())
          .addColumn('confirmed_at', ms)
          .execute();
        await db.schema.createIndex('form_drafts_conversation').on('form_drafts').column('conversation_id').execute();

        await db.schema
          .createTable('handoffs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
          .addColumn('department', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('requested_at', ms, (c) => c.notNull())
          .addColumn('claimed_at', ms)
          .addColumn('claimed_by', 'text')
          .addColumn('closed_at', ms)
          .addColumn('closed_by', 'text')
          .addColumn('left_message', 'text')
          .addColumn('callback_phone', 'text')
          .addColumn('note', 'text')
          .execute();
        await db.schema.createIndex('handoffs_status').on('handoffs').columns(['status', 'department']).execute();
        await db.schema.createIndex('handoffs_conversation').on('handoffs').column('conversation_id').execute();

        await db.schema
          .createTable('ratings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'text', (c) => c.notNull().unique().references('conversations.id').onDelete('cascade'))
          .addColumn('message_id', 'text')
          .addColumn('level', 'integer', (c) => c.notNull())
          .addColumn('comment', 'text')
          .addColumn('department', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('updated_at', ms, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('followups')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('rating_id', 'text', (c) => c.notNull().unique().references('ratings.id').onDelete('cascade'))
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('department', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('due_at', ms, (c) => c.notNull())
          .addColumn('action', 'text')
          .addColumn('answer', 'text')
          .addColumn('handled_by', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('closed_at', ms)
          .execute();

        await db.schema
          .createTable('staff')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text')
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('departments', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', ms)
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('updated_at', ms, (c) => c.notNull())
          .execute();

        await serial(db, 'audit_log')
          .addColumn('at', ms, (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text')
          .addColumn('details', 'text')
          .addColumn('ip', 'text')
          .execute();
        await db.schema.createIndex('audit_at').on('audit_log').column('at').execute();

        await db.schema
          .createTable('unanswered')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'text')
          .addColumn('message_id', 'text')
          .addColumn('question', 'text', (c) => c.notNull())
          .addColumn('normalized', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('guide_id', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('unanswered_created').on('unanswered').column('created_at').execute();

        await db.schema
          .createTable('canned_replies')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('department', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('created_at', ms, (c) => c.notNull())
          .execute();
      },
      async down(db: Db) {
        for (const t of ['canned_replies', 'unanswered', 'audit_log', 'staff', 'followups', 'ratings', 'handoffs', 'form_drafts', 'messages', 'conversations']) {
          await db.schema.dropTable(t).ifExists().execute();
        }
      },
    },
    ...handoffMigrations(dialect),
    ...staffMigrations(dialect),
    ...wechatMigrations(dialect),
    ...consoleMigrations(dialect),
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

/** A cheap query that proves the database answers (for /readyz). */
export async function ping(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}

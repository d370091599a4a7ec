import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../../records/migrations.js';

/**
 * The WeChat channel's tables: `channel_secrets` keeps the key WeChat session ids are derived
 * with when GOVCHAT_SECRET is not set (made on first use, shared by every instance through the
 * database), and `wechat_deliveries` records what happened to each message sent to a WeChat
 * contact outside a reply (staff replies, notices, slow answers): sent, or failed and why.
 */
export function wechatMigrations(_dialect: Dialect): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
  type Db = Kysely<any>;
  const ms = 'bigint' as const;
  return {
    '2026-12-01-wechat-001-deliveries': {
      async up(db: Db) {
        await db.schema
          .createTable('channel_secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('created_at', ms, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('wechat_deliveries')
          .addColumn('message_id', 'text', (c) => c.primaryKey())
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('parts', 'integer', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('error_code', 'text')
          .addColumn('error', 'text')
          .addColumn('created_at', ms, (c) => c.notNull())
          .addColumn('updated_at', ms, (c) => c.notNull())
          .addColumn('sent_at', ms)
          .execute();
        await db.schema.createIndex('wechat_deliveries_conversation').on('wechat_deliveries').column('conversation_id').execute();
        await db.schema.createIndex('wechat_deliveries_status').on('wechat_deliveries').columns(['status', 'updated_at']).execute();
      },
      async down(db: Db) {
        await db.schema.dropTable('wechat_deliveries').ifExists().execute();
        await db.schema.dropTable('channel_secrets').ifExists().execute();
      },
    },
  };
}

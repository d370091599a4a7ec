/**
 * Record-store maintenance from the command line (npm run records -- …), for cron:
 *   purge [--days N]   delete what is older than RETENTION_DAYS (or N days)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from './db.js';
import { purgeExpired } from './retention.js';

const USAGE = `usage: npm run records -- purge [--days N]
  purge   delete conversations (with messages, drafts, handoffs, ratings), unanswered questions
          and audit entries older than RETENTION_DAYS (default 180), or --days N`;

export async function runRecordsCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { days: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help || positionals[0] !== 'purge') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    throw e;
  }
  const days = values.days === undefined ? config.RETENTION_DAYS : Number(values.days);
  if (!Number.isInteger(days) || days < 1) {
    console.error('--days 应为正整数');
    return 2;
  }
  const db = await openDatabase({ url: config.DATABASE_URL, sqlitePath: join(config.DATA_DIR, 'govchat.sqlite') });
  try {
    const r = await purgeExpired(db.db, days);
    console.log(
      `purged records older than ${days} days (before ${new Date(r.cutoff).toISOString()}) from ${db.where}: ` +
        `${r.conversations} conversations, ${r.messages} messages, ${r.unanswered} unanswered questions, ${r.audit} audit entries, ${r.staffSessions} staff sessions`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runRecordsCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

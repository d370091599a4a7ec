/**
 * Staff accounts from the command line (npm run staff -- …), for the city's IT team:
 *   add <username> --role agent|admin --departments 公安,人社 [--display-name 张三] [--password-stdin]
 *   list | disable <username> | enable <username> | reset-password <username> [--password-stdin]
 *   update <username> [--role …] [--departments …] [--display-name …]
 * Without --password-stdin a password is generated and printed once. Passwords are never logged.
 */
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import { openDatabase } from '../records/db.js';
import { parseDepartments, type StaffAccount } from './accounts.js';
import { createStaffAccounts } from './index.js';
import type { StaffRole } from './principal.js';

const USAGE = `usage: npm run staff -- <command> [options]
  add <username> --role agent|admin --departments 公安,人社 [--display-name 名字] [--password-stdin]
  list
  update <username> [--role agent|admin] [--departments 公安,人社] [--display-name 名字]
  disable <username>
  enable <username>
  reset-password <username> [--password-stdin]
Without --password-stdin a password is generated and printed once.`;

/** Reads a password: the whole of piped stdin, or typed at a terminal without echo. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  process.stderr.write('密码（输入时不显示）: ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let pw = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(pw);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') pw = pw.slice(0, -1);
        else pw += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function show(a: StaffAccount): string {
  const state = a.disabled ? '停用' : a.lockedUntil && a.lockedUntil > Date.now() ? '锁定' : '正常';
  const depts = a.role === 'admin' ? '（全部部门）' : a.departments.join(',');
  return [a.username, a.role, depts, a.displayName ?? '', state, a.lastLoginAt ? new Date(a.lastLoginAt).toISOString() : '从未登录'].join('\t');
}

export async function runStaffCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      departments: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, username] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
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
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const db = await openDatabase({ url: config.DATABASE_URL, sqlitePath: join(config.DATA_DIR, 'govchat.sqlite') });
  // The CLI only manages accounts: the token secret warning is noise here.
  const staff = createStaffAccounts(db.db, { ...config, GOVCHAT_SECRET: config.GOVCHAT_SECRET ?? 'cli-does-not-sign-tokens' }, { logger });
  const by = { actor: `cli:${userInfo().username}`, ip: null };
  const role = values.role as StaffRole | undefined;
  try {
    if (role !== undefined && role !== 'agent' && role !== 'admin') throw new AppError(400, 'bad_request', '--role 只能是 agent 或 admin');
    const needUser = () => {
      if (!username) throw new AppError(400, 'bad_request', `${command} 需要用户名\n${USAGE}`);
      return username;
    };
    switch (command) {
      case 'add': {
        const password = values['password-stdin'] ? await readPassword() : undefined;
        const r = await staff.accounts.create(
          { username: needUser(), role: role ?? 'agent', departments: parseDepartments(values.departments ?? ''), password, displayName: values['display-name'] },
          by,
        );
        console.log(`已创建账号 ${r.account.username}（${r.account.role}${r.account.role === 'agent' ? `，部门 ${r.account.departments.join(',')}` : ''}）`);
        if (r.password) console.log(`初始密码（只显示这一次）: ${r.password}`);
        break;
      }
      case 'list':
        for (const a of await staff.accounts.list()) console.log(show(a));
        break;
      case 'update': {
        const a = await staff.accounts.update(
          needUser(),
          { ...(role ? { role } : {}), ...(values.departments !== undefined ? { departments: parseDepartments(values.departments) } : {}), ...(values['display-name'] !== undefined ? { displayName: values['display-name'] } : {}) },
          by,
        );
        console.log(show(a));
        break;
      }
      case 'disable':
      case 'enable': {
        const a = await staff.accounts.setDisabled(needUser(), command === 'disable', by);
        console.log(`${a.username} 已${command === 'disable' ? '停用，登录会话已全部失效' : '启用'}`);
        break;
      }
      case 'reset-password': {
        const password = values['password-stdin'] ? await readPassword() : undefined;
        const r = await staff.accounts.resetPassword(needUser(), password, by);
        console.log(`${r.account.username} 的密码已重置，原有登录会话已全部失效`);
        if (r.password) console.log(`新密码（只显示这一次）: ${r.password}`);
        break;
      }
      default:
        console.error(`未知命令 ${command}\n${USAGE}`);
        return 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStaffCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

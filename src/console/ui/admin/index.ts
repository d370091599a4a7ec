import type { Ctx, View } from '../context.js';
import { accountsView, auditView } from './accounts.js';
import { cannedAdminView } from './canned.js';
import { dashboardView } from './dashboard.js';
import { kbView } from './kb.js';
import { unansweredView } from './unanswered.js';

/** The admin dashboard's sections, as [route, label, make] for the shell's navigation. */
export function adminViews(ctx: Ctx): [string, string, () => View][] {
  return [
    ['dashboard', '数据看板', () => dashboardView(ctx)],
    ['kb', '知识库', () => kbView(ctx)],
    ['unanswered', '未解答问题', () => unansweredView(ctx)],
    ['canned', '常用语', () => cannedAdminView(ctx)],
    ['staff', '账号管理', () => accountsView(ctx)],
    ['audit', '审计日志', () => auditView(ctx)],
  ];
}

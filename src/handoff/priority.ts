import type { HandoffReason } from './state.js';

/**
 * Who is served first. Priority is a small number, higher is sooner: 0 normal, +1 for an elderly
 * or disabled citizen (or one acting for such a person), +1 for a complaint, +1 when the wait ran
 * past the department's limit (escalation). Within a priority, first come, first served.
 */
export const MAX_PRIORITY = 3;

export type PriorityReason = 'elderly' | 'disabled' | 'complaint' | 'escalated';

// 老人, 老年人, 老大爷, 老奶奶, 年纪大, 岁数大, 上了年纪, 高龄, 退休老人, 空巢, 独居老人, 耳背, 老花眼.
const ELDERLY = /老人|老年|老大爷|老大娘|老奶奶|老爷爷|老太太|老头|老伴|大爷|大娘|年纪大|岁数大|年龄大|上了年纪|年纪也大|高龄|耄耋|空巢|独居老|耳背|老花眼|不会用(手机|智能手机|电脑)|看不懂手机/;
// 残疾, 残障, 残疾证, 盲人, 视障, 聋, 哑, 轮椅, 行动不便, 腿脚不便, 瘫痪, 卧床, 截肢, 智力障碍, 听力/视力不好.
const DISABLED = /残疾|残障|残联|伤残|盲人|失明|视障|视力(不好|很差|障碍)|聋|听障|听力(不好|障碍)|哑|轮椅|行动不便|腿脚不便|腿脚不好|走不了路|走路不便|瘫痪|卧床|截肢|拄拐|智力障碍|智障|精神残疾|自闭症/;
const AGE = /(\d{2,3})\s*(岁|周岁)/g;
const CHINESE_AGE = /(六|七|八|九)十(多|几|[一二三四五六七八九])?\s*(岁|周岁)/;

/** Whether what the citizen said shows an elderly person (60 or over, the legal threshold). */
export function mentionsElderly(text: string): boolean {
  if (ELDERLY.test(text) || CHINESE_AGE.test(text)) return true;
  for (const m of text.matchAll(AGE)) {
    const n = Number(m[1]);
    if (n >= 60 && n <= 120) return true;
  }
  return false;
}

export function mentionsDisability(text: string): boolean {
  return DISABLED.test(text);
}

/** The priority of a new handoff from its reason and what the citizen said in the conversation. */
export function priorityOf(reason: HandoffReason, said: string[]): { priority: number; reasons: PriorityReason[] } {
  const text = said.join('\n');
  const reasons: PriorityReason[] = [];
  if (mentionsElderly(text)) reasons.push('elderly');
  if (mentionsDisability(text)) reasons.push('disabled');
  if (reason === 'complaint') reasons.push('complaint');
  const vulnerable = reasons.includes('elderly') || reasons.includes('disabled') ? 1 : 0;
  const complaint = reasons.includes('complaint') ? 1 : 0;
  return { priority: Math.min(MAX_PRIORITY, vulnerable + complaint), reasons };
}

/** BullMQ priorities run the other way (1 is served first) and must be at least 1. */
export function bullPriority(priority: number): number {
  return 1 + MAX_PRIORITY - Math.max(0, Math.min(MAX_PRIORITY, priority));
}

export const PRIORITY_TEXT: Record<PriorityReason, string> = { elderly: '老年人', disabled: '残疾人', complaint: '投诉', escalated: '等待超时' };

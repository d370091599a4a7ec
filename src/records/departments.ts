import type { KnowledgeBase } from '../kb/load.js';

/** Where a conversation belongs when neither staff nor a guide placed it. */
export const DEFAULT_DEPARTMENT = '综合';

/**
 * The department a conversation belongs to: the one it was handed to, else the department of
 * the guide it is about, else 综合.
 */
export function departmentOf(conversation: { department: string | null; guide_id: string | null }, kb: KnowledgeBase): string {
  if (conversation.department) return conversation.department;
  const guide = conversation.guide_id ? kb.byId.get(conversation.guide_id) : undefined;
  return guide?.department || DEFAULT_DEPARTMENT;
}

/** Ids of the guides of a department (to place conversations that carry only a guide id). */
export function guidesOf(department: string, kb: KnowledgeBase): string[] {
  return kb.guides.filter((g) => g.department === department).map((g) => g.id);
}

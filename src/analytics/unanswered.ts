import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../platform/logger.js';
import { maskPII } from '../platform/pii.js';
import { newId } from '../records/ids.js';
import type { Database } from '../records/schema.js';
import type { SearchIndex } from '../search/hybrid.js';
import { conversationScope, type DepartmentScope } from './scope.js';
import { GROUP_THRESHOLD, groupSimilar, normalizeQuestion, termSet } from './similarity.js';

export type UnansweredReason = 'no_answer' | 'low_rating';

export interface UnansweredGroup {
  count: number;
  conversations: number;
  /** Up to five distinct questions, most frequent first (personal data masked). */
  samples: string[];
  /** The terms the group was formed on. */
  terms: string[];
  firstSeen: number;
  lastSeen: number;
  reasons: Record<UnansweredReason, number>;
  /** The guide these questions came closest to, if any: where to add the missing answer. */
  closestGuide: { id: string; title: string; department: string } | null;
}

export interface UnansweredOptions {
  /** The current search index: tokenizer, aspect cues and term weights, and the guides. */
  index: () => SearchIndex;
  now?: () => number;
  logger?: Logger;
  /** Most rows read for one listing (newest first). */
  maxRows?: number;
}

/**
 * Questions the assistant could not answer (no_answer) and answers citizens rated 1–2, with
 * personal data masked and a normalised form, grouped by similarity for the editors of the
 * knowledge base, so it grows where citizens need it.
 */
export class UnansweredQuestions {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: UnansweredOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Normalised forms by index (a reloaded index tokenizes anew): the same unanswered questions come again and again. */
  private readonly forms = new WeakMap<SearchIndex, LRUCache<string, string>>();

  normalize(question: string): string {
    const idx = this.opts.index();
    let forms = this.forms.get(idx);
    if (!forms) this.forms.set(idx, (forms = new LRUCache({ max: 2000 })));
    let form = forms.get(question);
    if (form === undefined) forms.set(question, (form = normalizeQuestion(question, { tokenizer: idx.tokenizer, stripAspect: (q) => idx.detectAspect(q).rest })));
    return form;
  }

  async record(e: { conversationId: string | null; messageId: string | null; question: string; reason: UnansweredReason; guideId?: string | null }): Promise<void> {
    const question = maskPII(e.question.trim()).slice(0, 500);
    if (!question) return;
    await this.db
      .insertInto('unanswered')
      .values({
        id: newId('u'),
        conversation_id: e.conversationId,
        message_id: e.messageId,
        question,
        normalized: this.normalize(question),
        reason: e.reason,
        guide_id: e.guideId ?? null,
        created_at: this.now(),
      })
      .execute();
  }

  /**
   * An answer rated 1–2: its question lands in the list (once per rated reply). The rated reply is
   * the one named, else the conversation's last answer.
   */
  async recordLowRating(conversationId: string, messageId: string | null): Promise<boolean> {
    const reply = messageId
      ? await this.db.selectFrom('messages').select(['id', 'seq', 'evidence', 'type']).where('id', '=', messageId).executeTakeFirst()
      : await this.db
          .selectFrom('messages')
          .select(['id', 'seq', 'evidence', 'type'])
          .where('conversation_id', '=', conversationId)
          .where('role', '=', 'bot')
          .where('type', '=', 'answer')
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
    if (!reply) return false;
    const already = await this.db.selectFrom('unanswered').select('id').where('message_id', '=', reply.id).where('reason', '=', 'low_rating').executeTakeFirst();
    if (already) return false;
    const question = await this.db
      .selectFrom('messages')
      .select('text')
      .where('conversation_id', '=', conversationId)
      .where('role', '=', 'citizen')
      .where('seq', '<', reply.seq)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!question) return false;
    let guideId: string | null = null;
    try {
      const ev = reply.evidence ? (JSON.parse(reply.evidence) as { guideId?: string | null }) : null;
      guideId = ev?.guideId ?? null;
    } catch {
      guideId = null;
    }
    await this.record({ conversationId, messageId: reply.id, question: question.text, reason: 'low_rating', guideId });
    return true;
  }

  /** The citizen changed a 差评 to a good rating: the answer was fine after all. */
  async withdrawLowRating(conversationId: string): Promise<void> {
    await this.db.deleteFrom('unanswered').where('conversation_id', '=', conversationId).where('reason', '=', 'low_rating').execute();
  }

  /** Groups of similar questions in a period, largest first. */
  async groups(q: { from?: number; to?: number; scope?: DepartmentScope; limit?: number } = {}): Promise<UnansweredGroup[]> {
    const idx = this.opts.index();
    let s = this.db
      .selectFrom('unanswered as u')
      .leftJoin('conversations as c', 'c.id', 'u.conversation_id')
      .select(['u.id', 'u.conversation_id', 'u.question', 'u.normalized', 'u.reason', 'u.guide_id', 'u.created_at']);
    if (q.from !== undefined) s = s.where('u.created_at', '>=', q.from);
    if (q.to !== undefined) s = s.where('u.created_at', '<', q.to);
    if (q.scope) s = s.where(conversationScope(q.scope, idx.kb, 'c'));
    const rows = await s.orderBy('u.created_at', 'desc').limit(this.opts.maxRows ?? 20_000).execute();
    const weight = (t: string) => idx.weight(t);
    const groups = groupSimilar(rows, GROUP_THRESHOLD, weight);
    const out: UnansweredGroup[] = [];
    for (const g of groups.slice(0, q.limit ?? 100)) {
      const byText = new Map<string, number>();
      for (const r of g) byText.set(r.question, (byText.get(r.question) ?? 0) + 1);
      const samples = [...byText.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([t]) => t);
      const times = g.map((r) => Number(r.created_at));
      const leaderForm = mostCommon(g.map((r) => r.normalized)) ?? '';
      out.push({
        count: g.length,
        conversations: new Set(g.map((r) => r.conversation_id).filter(Boolean)).size,
        samples,
        terms: [...termSet(leaderForm)],
        firstSeen: Math.min(...times),
        lastSeen: Math.max(...times),
        reasons: { no_answer: g.filter((r) => r.reason === 'no_answer').length, low_rating: g.filter((r) => r.reason === 'low_rating').length },
        closestGuide: await this.closestGuide(idx, g.map((r) => r.guide_id), samples[0]),
      });
    }
    return out;
  }

  /** The guide most of the group's replies rested on, else the best search hit for its top question. */
  private async closestGuide(idx: SearchIndex, guideIds: (string | null)[], sample: string | undefined): Promise<UnansweredGroup['closestGuide']> {
    let id = mostCommon(guideIds.filter((g): g is string => !!g && idx.kb.byId.has(g)));
    if (!id && sample) {
      try {
        id = (await idx.search(sample, { limit: 1 })).guides[0]?.guideId ?? null;
      } catch (e) {
        this.opts.logger?.warn({ err: e }, 'closest guide search failed');
      }
    }
    const g = id ? idx.kb.byId.get(id) : undefined;
    return g ? { id: g.id, title: g.title, department: g.department } : null;
  }
}

function mostCommon<T>(xs: T[]): T | null {
  const counts = new Map<T, number>();
  let best: T | null = null;
  let bestN = 0;
  for (const x of xs) {
    const n = (counts.get(x) ?? 0) + 1;
    counts.set(x, n);
    if (n > bestN) {
      best = x;
      bestN = n;
    }
  }
  return best;
}

import { LRUCache } from 'lru-cache';
import type { AspectKey } from '../kb/aspects.js';
import type { Guide } from '../kb/schema.js';
import type { AspectDetection } from '../search/aspect.js';
import type { GuideHit, SearchIndex, SearchResult } from '../search/hybrid.js';
import { blocksToText, type Block } from './blocks.js';
import { composeFaq, composeOverview, composeSections, displayTitle, nextQuestions, type Citation, type Composed } from './compose.js';
import { outOfScope, REFUSAL_TEXT } from './scope.js';

export type AnswerType = 'answer' | 'clarify' | 'no_answer' | 'refusal';

export interface Evidence {
  chunkId: string;
  guideId: string;
  aspect: AspectKey | null;
  score: number;
}

export interface AnswerResult extends Composed {
  type: AnswerType;
  /** The guide the answer is about (kept by the session for follow-ups). */
  guideId: string | null;
  aspect: AspectKey | null;
  confidence: number;
  suggestions: string[];
  /** What retrieval found, for staff and the record. */
  evidence: Evidence[];
  /** Why the answerer decided as it did; for debugging and the eval. */
  reason: string;
}

export interface AnswerContext {
  /** The guide the conversation is about, for follow-ups. */
  currentGuideId?: string | null;
  /** The aspect last answered: "那离婚呢" after a materials question asks for materials again. */
  currentAspect?: AspectKey | null;
}

/** A question analysed once: its aspect and what retrieval found; shared by intent and answer. */
export interface Analysis {
  question: string;
  detected: AspectDetection;
  result: SearchResult;
}

// "那离婚呢", "如果是外地人的话" — a short question that only swaps the subject.
const ELLIPTICAL = /^(那|那么|如果|要是|换成)?.{0,14}(呢|的话|也一样吗|也是吗)[?？。!！]*$/;

/** When two services are too close to choose between: ask which one is meant. */
export const CLARIFY = { minNamed: 0.3, scoreRatio: 0.85, confidenceGap: 0.08, distinctWeight: 5, coverageGap: 0.1 };

/** How much of the asked words a FAQ pair (or, uncued, a section) must cover to be the answer. */
export const FAQ_BAR = { cued: 0.75, weak: 0.2 };

export const STAFF_OFFER = '如需人工帮助，请回复“转人工”。';

export interface AnswererOptions {
  /** Below this confidence the answer is "I don't know" (ANSWER_MIN_SCORE). */
  minConfidence: number;
  /** Told how long each retrieval took, in ms (the origin's /metrics histogram). */
  onRetrieval?: (ms: number) => void;
  /**
   * Questions whose analysis (and answers) are kept, least recently asked dropped first
   * (ANSWER_CACHE_SIZE); 0 or unset: none. Keyed by the index, so a rebuild starts afresh.
   */
  cacheSize?: number;
  /** Told of each analysis: from the cache or worked out (metrics). */
  onCache?: (hit: boolean) => void;
}

/** Freezes a value and everything it holds (index chunks included: the index is immutable too). */
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Confidence that the question is about this guide: how fully it is named, how much of the question it accounts for. */
export function confidenceOf(g: GuideHit): number {
  return Math.min(1, 0.35 * g.nameRecall + 0.25 * g.nameCoverage + 0.3 * g.coverage + 0.1 * Math.min(1, g.similarity / 0.5));
}

/**
 * The grounded answerer: finds the guide and the section a question is about and quotes it,
 * cited; or asks which of two services is meant; or says plainly that it does not know.
 */
export class Answerer {
  /**
   * The same question asked again (most questions are: 身份证丢了怎么办) is answered from what
   * it was analysed and answered as last time, with the same index. Cached values are frozen:
   * every turn shares them, and a change to one would be a change to the next citizen's answer.
   */
  private readonly analyses = new WeakMap<SearchIndex, LRUCache<string, Analysis>>();
  private readonly answers = new WeakMap<Analysis, Map<string, AnswerResult>>();

  constructor(
    private readonly index: () => SearchIndex,
    private readonly opts: AnswererOptions,
  ) {}

  /** Aspect detection and retrieval for a question. */
  async analyze(question: string, limit = 10): Promise<Analysis> {
    const idx = this.index();
    const cache = this.analysesOf(idx);
    const key = `${limit}\n${question.trim()}`;
    const hit = cache?.get(key);
    if (cache) this.opts.onCache?.(!!hit);
    if (hit) return hit;
    const q = idx.tokenizer.correct(question.trim());
    const detected = idx.detectAspect(q);
    const start = performance.now();
    const result = await idx.search(detected.rest || q, { aspect: detected.aspect, limit });
    this.opts.onRetrieval?.(performance.now() - start);
    const analysis = { question: q, detected, result };
    if (!cache) return analysis;
    cache.set(key, deepFreeze(analysis));
    this.answers.set(analysis, new Map());
    return analysis;
  }

  async answer(question: string, ctx: AnswerContext = {}, analysis?: Analysis): Promise<AnswerResult> {
    analysis ??= await this.analyze(question);
    const answers = this.answers.get(analysis);
    if (!answers) return this.work(ctx, analysis);
    const key = `${ctx.currentGuideId ?? ''}\n${ctx.currentAspect ?? ''}`;
    let a = answers.get(key);
    if (!a) {
      a = deepFreeze(await this.work(ctx, analysis));
      // A question is asked in a few contexts (no guide yet, a follow-up on one or two); more are not kept.
      if (answers.size < 16) answers.set(key, a);
    }
    return a;
  }

  private async work(ctx: AnswerContext, analysis: Analysis): Promise<AnswerResult> {
    const idx = this.index();
    const { question: q, result } = analysis;
    let { detected } = analysis;
    if (!detected.aspect && ctx.currentAspect && ctx.currentAspect !== 'faq' && ELLIPTICAL.test(q)) {
      detected = { ...detected, aspect: ctx.currentAspect, all: [ctx.currentAspect] };
    }
    const current = ctx.currentGuideId ? idx.kb.byId.get(ctx.currentGuideId) : undefined;
    const evidence = result.chunks.slice(0, 8).map((c) => ({ chunkId: c.chunk.id, guideId: c.chunk.guideId, aspect: c.chunk.aspect, score: Math.round(c.score * 1e4) / 1e4 }));
    const top = result.guides[0];
    // A short question whose key word the guides never use is about something else (注册商标).
    const topConfidence = top ? confidenceOf(top) * (result.unknownKey ? 0.6 : 1) : 0;

    const scope = outOfScope(q);
    if (scope === 'injection' || (scope && (!top || top.nameCoverage < 0.5))) {
      return this.refusal(REFUSAL_TEXT[scope], evidence, `out of scope: ${scope}`);
    }

    // Follow-up: nothing but asking words ("要多少钱"), or words the current guide accounts for,
    // unless another service is named ("那离婚呢" after 结婚登记).
    if (current) {
      const own = result.guides.find((g) => g.guideId === current.id);
      const ownConfidence = own ? confidenceOf(own) : 0;
      const named = top && top.guideId !== current.id && top.nameCoverage >= 0.5 && top.nameCoverage >= (own?.nameCoverage ?? 0) + 0.2;
      const stays = !result.terms.length || (!named && ((own?.coverage ?? 0) >= 0.4 || topConfidence < this.opts.minConfidence));
      if (stays) {
        return this.fromGuide(current, detected, q, result, evidence, Math.max(0.8, ownConfidence), 'follow-up on the current guide');
      }
    }

    if (!top || topConfidence < this.opts.minConfidence) return this.noAnswer(result, evidence, topConfidence);

    const ambiguous = this.ambiguous(result);
    if (ambiguous.length > 1) {
      const names = ambiguous.map((g) => `「${g.title}」`).join('还是');
      const blocks: Block[] = [{ type: 'paragraph', text: `请问您要办的是${names}？` }, { type: 'list', ordered: true, items: ambiguous.map((g) => g.title) }];
      return {
        type: 'clarify',
        text: blocksToText(blocks),
        blocks,
        citations: [],
        guideId: null,
        aspect: detected.aspect,
        confidence: Math.round(topConfidence * 1000) / 1000,
        suggestions: ambiguous.map((g) => g.title),
        evidence,
        reason: 'two services match equally',
      };
    }
    const guide = idx.kb.byId.get(top.guideId);
    if (!guide) return this.fromFaqFile(top, q, result, evidence, topConfidence);
    return this.fromGuide(guide, detected, q, result, evidence, topConfidence, 'best guide');
  }

  private analysesOf(idx: SearchIndex): LRUCache<string, Analysis> | null {
    if (!this.opts.cacheSize) return null;
    let c = this.analyses.get(idx);
    if (!c) this.analyses.set(idx, (c = new LRUCache({ max: this.opts.cacheSize })));
    return c;
  }

  /**
   * Guides that match about equally well and that nothing in the question tells apart: the
   * words of their names the question uses are the same ("身份证要重新办一张" names 身份证, not 换
   * or 补). The question must name them well enough to be answered at all.
   */
  private ambiguous(result: SearchResult): GuideHit[] {
    const idx = this.index();
    const [a, ...rest] = result.guides;
    if (!a || !idx.kb.byId.has(a.guideId)) return [];
    const ca = confidenceOf(a);
    if (ca < this.opts.minConfidence || a.nameCoverage < CLARIFY.minNamed) return [];
    const named = idx.namedBy(a.guideId, result.terms);
    // Told apart by a name word only one of them has, or by words of the question only one of them covers.
    const tellsApart = (b: GuideHit) => {
      const other = idx.namedBy(b.guideId, result.terms);
      return Math.abs(a.coverage - b.coverage) >= CLARIFY.coverageGap || [...named, ...other].some((t) => named.has(t) !== other.has(t) && idx.weight(t) >= CLARIFY.distinctWeight);
    };
    const close = rest.filter(
      (b) => idx.kb.byId.has(b.guideId) && b.score >= a.score * CLARIFY.scoreRatio && confidenceOf(b) >= Math.max(this.opts.minConfidence, ca - CLARIFY.confidenceGap) && !tellsApart(b),
    );
    return close.length ? [a, ...close.slice(0, 2)] : [];
  }

  private fromGuide(
    guide: Guide,
    detection: Pick<AspectDetection, 'aspect' | 'all' | 'weak'>,
    question: string,
    result: SearchResult,
    evidence: Evidence[],
    confidence: number,
    reason: string,
  ): AnswerResult {
    const { aspect, all: aspects } = detection;
    const best = this.bestPart(guide, question);
    const available = aspects.filter((a) => guide.sections.some((s) => s.aspect === a));
    // A FAQ pair that says what was asked beats a section cued only weakly or not at all.
    const faqBar = detection.weak || !available.length ? FAQ_BAR.weak : FAQ_BAR.cued;
    let composed: Composed;
    let answered: AspectKey | null;
    if (best?.faqIndex !== undefined && best.strength >= faqBar) {
      // A question of the guide's 常见问题 says what the citizen asked: its answer is the answer.
      composed = composeFaq(guide, guide.faq[best.faqIndex], best.faqIndex, guide);
      answered = 'faq';
    } else if (available.length) {
      composed = composeSections(guide, available.slice(0, 2));
      answered = available[0];
    } else if (!aspect && best && best.strength >= FAQ_BAR.weak && best.aspect) {
      composed = composeSections(guide, [best.aspect]);
      answered = best.aspect;
    } else {
      composed = composeOverview(guide);
      answered = null;
      if (aspect) {
        composed.blocks.unshift({ type: 'paragraph', text: `「${displayTitle(guide)}」的办事指南没有单独列出这方面的内容，以下是该事项的概要。${STAFF_OFFER}` });
        composed.text = blocksToText(composed.blocks);
      }
    }
    return {
      type: 'answer',
      ...composed,
      guideId: guide.id,
      aspect: answered,
      confidence: Math.round(confidence * 1000) / 1000,
      suggestions: nextQuestions(guide, [answered]),
      evidence,
      reason: `${reason}; ${answered ?? 'overview'}${best ? ` (best part ${best.aspect ?? ''}${best.faqIndex ?? ''} ${best.strength.toFixed(2)})` : ''}`,
    };
  }

  /**
   * The part of a guide (a section or one FAQ pair) that says most of what the citizen asked,
   * beyond naming the service: asked words in a FAQ question count fully, in a text less.
   */
  private bestPart(guide: Guide, question: string): { aspect: AspectKey | null; faqIndex?: number; strength: number } | null {
    const idx = this.index();
    const terms = [...new Set(idx.tokenizer.tokenize(idx.detectAspect(question).rest || question))];
    const { name, parts } = idx.partsOf(guide);
    const asked = terms.filter((t) => !name.has(t));
    if (!asked.length) return null;
    const total = asked.reduce((s, t) => s + idx.weight(t), 0);
    let best: { aspect: AspectKey | null; faqIndex?: number; strength: number } | null = null;
    // FAQ pairs come first: on a tie they win, as they answer one question rather than a whole topic.
    for (const p of parts) {
      const got = asked.reduce((s, t) => s + idx.weight(t) * (p.heading.has(t) ? 1 : p.body.has(t) ? 0.7 : 0), 0);
      const strength = got / total;
      if (!best || strength > best.strength + 1e-9) best = { aspect: p.aspect, faqIndex: p.faqIndex, strength };
    }
    return best;
  }

  private fromFaqFile(top: GuideHit, question: string, result: SearchResult, evidence: Evidence[], confidence: number): AnswerResult {
    const idx = this.index();
    const file = idx.kb.faqs.find((f) => f.id === top.guideId);
    const chunk = top.chunks.find((c) => c.chunk.kind === 'faq-file')?.chunk;
    if (!file || !chunk || chunk.faqIndex === undefined) return this.noAnswer(result, evidence, confidence);
    const composed = composeFaq(file, file.pairs[chunk.faqIndex], chunk.faqIndex);
    return { type: 'answer', ...composed, guideId: null, aspect: 'faq', confidence: Math.round(confidence * 1000) / 1000, suggestions: [], evidence, reason: `faq file ${file.id} (${question.length} chars)` };
  }

  private noAnswer(result: SearchResult, evidence: Evidence[], confidence: number): AnswerResult {
    const idx = this.index();
    const close = result.guides.filter((g) => g.nameCoverage > 0 || confidenceOf(g) >= this.opts.minConfidence * 0.6).slice(0, 3);
    const names = close.map((g) => idx.kb.byId.get(g.guideId)?.title ?? g.title);
    const blocks: Block[] = [{ type: 'paragraph', text: '抱歉，这个问题我在示例市的办事指南里没有找到确切的答案，不敢乱说。' }];
    if (names.length) blocks.push({ type: 'paragraph', text: '您是不是想问这些事项：' }, { type: 'list', ordered: true, items: names });
    blocks.push({ type: 'paragraph', text: `您也可以换个说法再问，或拨打12345政务服务便民热线。${STAFF_OFFER}` });
    return {
      type: 'no_answer',
      text: blocksToText(blocks),
      blocks,
      citations: [],
      guideId: null,
      aspect: null,
      confidence: Math.round(confidence * 1000) / 1000,
      suggestions: [...names, '转人工'],
      evidence,
      reason: 'confidence below threshold',
    };
  }

  private refusal(text: string, evidence: Evidence[], reason: string): AnswerResult {
    const blocks: Block[] = [{ type: 'paragraph', text }];
    return {
      type: 'refusal',
      text,
      blocks,
      citations: [],
      guideId: null,
      aspect: null,
      confidence: 0,
      suggestions: ['身份证丢了怎么办', '公积金怎么提取', '转人工'],
      evidence,
      reason,
    };
  }
}

export type { Citation };

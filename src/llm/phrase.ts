import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AnswerResult } from '../answer/answerer.js';
import { sectionBlocks } from '../answer/blocks.js';
import { displayTitle } from '../answer/compose.js';
import type { LanguageEvidence, Phrased } from '../dialogue/engine.js';
import type { KnowledgeBase } from '../kb/load.js';
import { maskPII } from '../platform/pii.js';
import { ModelCalls, Rejected, textOf, visibleText } from './call.js';
import { checkReply, SECTION_ID, type CheckResult } from './check.js';
import { ReplyCleaner } from './clean.js';
import type { Prompts } from './prompts.js';
import { citationId, citationsFor, sourcesFor, sourcesLine } from './sections.js';

/** A number may still be being written at the end of what has streamed: it is sent once complete and checked. */
const TRAILING_NUMBER = /[0-9０-９零〇一二两三四五六七八九十百千万亿.,，]+$/;

export interface PhraserOptions {
  model: BaseChatModel;
  prompts: Prompts;
  kb: () => KnowledgeBase;
  calls: ModelCalls;
  timeoutMs: number;
}

/**
 * Grounded generation: the model phrases a decided answer from its guide's sections, citing them
 * by id; the reply is checked (ids, numbers, URLs) while it streams and once complete, and is used
 * only if it passes. Streamed pieces are provisional: the caller withdraws them when it fails.
 */
export class GroundedPhraser {
  constructor(private readonly o: PhraserOptions) {}

  async phrase(input: { question: string; answer: AnswerResult; conversationId: string; onToken?: (text: string) => void | Promise<void> }): Promise<{ phrased: Phrased | null; evidence: LanguageEvidence } | null> {
    const { answer, onToken } = input;
    const sources = sourcesFor(answer, this.o.kb());
    if (!sources) return null;
    const messages = await this.o.prompts.answer.formatMessages({
      guide_title: sources.guides.map(displayTitle).join('、'),
      sections: sources.prompt,
      focus: sources.focus.length ? sources.focus.map((id) => `[${id}]`).join('、') : '（问的是这个事项的概况，可综合各部分回答）',
      question: maskPII(input.question),
      example_id: sources.focus[0] ?? [...sources.sections.keys()][0],
    });
    let raw = '';
    const cleaner = new ReplyCleaner();
    const r = await this.o.calls.run<CheckResult>('answer', this.o.timeoutMs, input.conversationId, async (signal) => {
      if (!onToken) {
        raw = visibleText(textOf(await this.o.model.invoke(messages, { signal })));
      } else {
        let held = '';
        let written = '';
        for await (const chunk of await this.o.model.stream(messages, { signal })) {
          written += textOf(chunk);
          const visible = visibleText(written);
          const piece = visible.slice(raw.length);
          if (!piece) continue;
          raw = visible;
          // Fail fast: a wrong id or number ends the stream at once.
          const partial = checkReply(raw, sources.sections, { partial: true });
          if (!partial.passed) throw new Rejected('rejected', partial.reason!, partial.detail);
          held += cleaner.push(piece);
          const cut = TRAILING_NUMBER.exec(held)?.index ?? held.length;
          const ready = held.slice(0, cut);
          held = held.slice(cut);
          if (ready && !signal.aborted) await onToken(ready);
        }
      }
      const check = checkReply(raw, sources.sections);
      if (!check.passed) throw new Rejected('rejected', check.reason!, check.detail);
      return check;
    });
    const text = raw ? maskPII(raw).slice(0, 4000) : undefined;
    if (!r.ok) {
      const check = r.outcome === 'rejected' ? { passed: false, reason: r.reason, detail: r.detail } : undefined;
      return { phrased: null, evidence: { outcome: r.outcome, reason: r.reason, ms: r.ms, ...(r.status ? { status: r.status } : {}), ...(check ? { check } : {}), streamed: !!onToken, text } };
    }
    const check = r.value;
    if (onToken) cleaner.end();
    let cleaned = onToken ? cleaner.text : ReplyCleaner.clean(raw).text;
    // Ids written without brackets are cited too, but citizens read no ids.
    cleaned = cleaned
      .replace(SECTION_ID, (id, at: number) => (sources.sections.has(id) && cleaned[at - 1] !== '/' ? '' : id))
      .replace(/[ \t]+$/gm, '');
    const line = sourcesLine(check.cited, sources);
    const first = answer.citations[0] ? citationId(answer.citations[0]) : null;
    return {
      phrased: {
        text: `${cleaned}\n${line}`,
        blocks: [...sectionBlocks(cleaned), { type: 'paragraph', text: line }],
        citations: citationsFor(check.cited, sources, first),
      },
      evidence: { outcome: 'ok', ms: r.ms, check: { passed: true, cited: check.cited, numbers: check.numbers }, streamed: !!onToken, text },
    };
  }
}

import type { AnswerResult, Citation } from '../answer/answerer.js';
import { citation, displayTitle } from '../answer/compose.js';
import { ASPECT_LABEL } from '../kb/aspects.js';
import type { KnowledgeBase } from '../kb/load.js';
import type { Guide } from '../kb/schema.js';
import type { SourceSection } from './check.js';

/** What the model is given for one answer: the sections by id, those the answer rests on first. */
export interface Sources {
  sections: Map<string, SourceSection>;
  /** Ids of the sections the extractive answer quoted (empty for an overview). */
  focus: string[];
  guides: Guide[];
  /** The sections as the prompt shows them: `[id] heading` then the text. */
  prompt: string;
}

/** The whole text of the sections, beyond which only the focus sections are given (a long imported guide). */
const MAX_PROMPT_CHARS = 6000;

export function guideSections(g: Guide): SourceSection[] {
  const out: SourceSection[] = [];
  for (const s of g.sections) {
    if (s.aspect === 'faq') continue;
    out.push({ id: `${g.id}#${s.aspect}`, guideId: g.id, title: g.title, aspect: s.aspect, anchor: s.aspect, heading: ASPECT_LABEL[s.aspect], text: s.text });
  }
  g.faq.forEach((p, i) =>
    out.push({ id: `${g.id}#faq-${i}`, guideId: g.id, title: g.title, aspect: 'faq', anchor: `faq-${i}`, heading: `常见问题：${p.question}`, text: p.answer }),
  );
  return out;
}

/** The section id an extractive citation stands for (`faq-N` from its URL for a FAQ pair), or null for an overview. */
export function citationId(c: Citation): string | null {
  if (!c.section) return null;
  if (c.section === 'faq') {
    const anchor = /#(faq-\d+)$/.exec(c.url)?.[1];
    return anchor ? `${c.guideId}#${anchor}` : null;
  }
  return `${c.guideId}#${c.section}`;
}

/** The sources for phrasing an answer, or null when it does not rest on guides (a FAQ file's pair). */
export function sourcesFor(answer: AnswerResult, kb: KnowledgeBase): Sources | null {
  const guides = [...new Set(answer.citations.map((c) => c.guideId))].map((id) => kb.byId.get(id));
  if (!guides.length || guides.some((g) => !g)) return null;
  const all = (guides as Guide[]).flatMap(guideSections);
  const sections = new Map(all.map((s) => [s.id, s]));
  const focus = answer.citations.map(citationId).filter((id): id is string => !!id && sections.has(id));
  const ordered = [...focus.map((id) => sections.get(id)!), ...all.filter((s) => !focus.includes(s.id))];
  const given: SourceSection[] = [];
  let size = 0;
  for (const s of ordered) {
    const block = `[${s.id}] ${s.heading}\n${s.text}`;
    if (given.length && !focus.includes(s.id) && size + block.length > MAX_PROMPT_CHARS) continue;
    given.push(s);
    size += block.length + 2;
  }
  return {
    sections: new Map(given.map((s) => [s.id, s])),
    focus,
    guides: guides as Guide[],
    prompt: given.map((s) => `[${s.id}] ${s.heading}\n${s.text}`).join('\n\n'),
  };
}

/** Structured citations for the section ids a reply cited, the extractive answer's main one first when cited. */
export function citationsFor(ids: string[], sources: Sources, primary: string | null): Citation[] {
  const order = primary && ids.includes(primary) ? [primary, ...ids.filter((id) => id !== primary)] : ids;
  return order.map((id) => {
    const s = sources.sections.get(id)!;
    return citation({ id: s.guideId, title: s.title }, s.aspect, s.anchor);
  });
}

/** The closing line naming the guides and sections the reply rests on. */
export function sourcesLine(ids: string[], sources: Sources): string {
  return sources.guides
    .map((g) => {
      const labels = [
        ...new Set(
          ids
            .map((id) => sources.sections.get(id)!)
            .filter((s) => s.guideId === g.id)
            .map((s) => (s.aspect === 'faq' ? '常见问题' : ASPECT_LABEL[s.aspect])),
        ),
      ];
      if (!labels.length) return '';
      return `以上内容依据「${displayTitle(g)}」办事指南的${labels.join('、')}部分整理${g.updated ? `（更新于${g.updated}）` : ''}。`;
    })
    .filter(Boolean)
    .join('\n');
}

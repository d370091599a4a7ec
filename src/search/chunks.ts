import { ASPECT_LABEL, type AspectKey } from '../kb/aspects.js';
import type { KnowledgeBase } from '../kb/load.js';

/**
 * The unit of retrieval: one section of a guide, one FAQ pair, or a guide's overview. Every chunk
 * carries its guide's title and aliases, which weigh more than the body.
 */
export interface Chunk {
  id: string;
  guideId: string;
  title: string;
  /** Aspect key of the section; null for the overview chunk. */
  aspect: AspectKey | null;
  department: string;
  /** Guide title and aliases (the "name" field). */
  name: string;
  /** Section heading, or the FAQ question. */
  heading: string;
  /** Section text, or the FAQ answer. */
  body: string;
  /** For FAQ pairs: index in the guide's (or FAQ file's) list. */
  faqIndex?: number;
  /** "faq-file" when the pair comes from knowledge/faq/ rather than a guide. */
  kind: 'overview' | 'section' | 'faq' | 'faq-file';
}

export function buildChunks(kb: KnowledgeBase): Chunk[] {
  const chunks: Chunk[] = [];
  for (const g of kb.guides) {
    const name = [g.title, ...g.aliases].join(' ');
    const base = { guideId: g.id, title: g.title, department: g.department, name };
    chunks.push({
      ...base,
      id: `${g.id}#overview`,
      aspect: null,
      heading: [g.category, g.region].filter(Boolean).join(' '),
      body: g.sections.find((s) => s.aspect === 'conditions')?.text.slice(0, 300) ?? '',
      kind: 'overview',
    });
    for (const s of g.sections) {
      if (s.aspect === 'faq') continue;
      chunks.push({ ...base, id: `${g.id}#${s.aspect}`, aspect: s.aspect, heading: ASPECT_LABEL[s.aspect], body: s.text, kind: 'section' });
    }
    g.faq.forEach((p, i) => chunks.push({ ...base, id: `${g.id}#faq-${i}`, aspect: 'faq', heading: p.question, body: p.answer, faqIndex: i, kind: 'faq' }));
  }
  for (const f of kb.faqs) {
    const guide = f.guide ? kb.byId.get(f.guide) : undefined;
    const name = guide ? [guide.title, ...guide.aliases].join(' ') : f.title;
    f.pairs.forEach((p, i) =>
      chunks.push({
        id: `${f.id}#faq-${i}`,
        guideId: guide ? guide.id : f.id,
        title: guide ? guide.title : f.title,
        aspect: 'faq',
        department: guide?.department ?? f.department ?? '综合',
        name,
        heading: p.question,
        body: p.answer,
        faqIndex: i,
        kind: guide ? 'faq' : 'faq-file',
      }),
    );
  }
  return chunks;
}

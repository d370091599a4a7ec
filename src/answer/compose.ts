import { ASPECT_LABEL, type AspectKey } from '../kb/aspects.js';
import type { Guide } from '../kb/schema.js';
import { guideUrl } from '../kb/urls.js';
import { blocksToText, sectionBlocks, type Block } from './blocks.js';

export interface Citation {
  guideId: string;
  title: string;
  section: AspectKey | null;
  url: string;
}

export interface Composed {
  text: string;
  blocks: Block[];
  citations: Citation[];
}

/** What a citizen can ask next about a guide, in their words. */
export const ASPECT_QUESTION: Partial<Record<AspectKey, string>> = {
  materials: '需要带什么材料？',
  conditions: '谁可以申请？',
  process: '办理流程是怎样的？',
  time: '多久能办好？',
  fee: '要收费吗？',
  location: '在哪里办？',
  online: '可以网上办吗？',
  contact: '咨询电话是多少？',
  special: '老人、残疾人办理有什么便利？',
};

export function displayTitle(g: Pick<Guide, 'title' | 'region'>): string {
  return g.region ? `${g.title}（${g.region}）` : g.title;
}

export function citation(g: Pick<Guide, 'id' | 'title'>, section: AspectKey | null, anchor?: string): Citation {
  return { guideId: g.id, title: g.title, section, url: guideUrl(g.id, anchor ?? section) };
}

function footer(g: Guide): Block {
  return { type: 'paragraph', text: `以上内容摘自「${displayTitle(g)}」办事指南${g.updated ? `（更新于${g.updated}）` : ''}。` };
}

function finish(blocks: Block[], citations: Citation[]): Composed {
  return { text: blocksToText(blocks), blocks, citations };
}

/** Quotes one or more sections of a guide, headed by the service and section, and cited. */
export function composeSections(g: Guide, aspects: AspectKey[]): Composed {
  const blocks: Block[] = [];
  const citations: Citation[] = [];
  for (const aspect of aspects) {
    const s = g.sections.find((x) => x.aspect === aspect);
    if (!s) continue;
    blocks.push({ type: 'heading', text: `${displayTitle(g)} · ${ASPECT_LABEL[aspect]}` }, ...sectionBlocks(s.text));
    citations.push(citation(g, aspect));
  }
  blocks.push(footer(g));
  return finish(blocks, citations);
}

/** Quotes one question/answer pair of a guide's 常见问题 (or of a FAQ file). */
export function composeFaq(source: { id: string; title: string; region?: string; updated?: string }, pair: { question: string; answer: string }, index: number, guide?: Guide): Composed {
  const blocks: Block[] = [{ type: 'heading', text: `${displayTitle(source)} · 常见问题` }, { type: 'paragraph', text: `问：${pair.question}` }];
  const answer = sectionBlocks(pair.answer);
  if (answer[0]?.type === 'paragraph') answer[0] = { type: 'paragraph', text: `答：${answer[0].text}` };
  blocks.push(...answer);
  blocks.push(guide ? footer(guide) : { type: 'paragraph', text: `以上内容摘自「${source.title}」常见问题。` });
  return finish(blocks, [{ guideId: source.id, title: source.title, section: 'faq', url: guide ? guideUrl(source.id, `faq-${index}`) : `/faq/${encodeURIComponent(source.id)}#faq-${index}` }]);
}

function firstLine(g: Guide, aspect: AspectKey, max = 80): string | null {
  const s = g.sections.find((x) => x.aspect === aspect);
  if (!s) return null;
  const blocks = sectionBlocks(s.text);
  const b = blocks[0];
  let line = !b ? '' : b.type === 'list' ? b.items[0] : b.type === 'paragraph' ? b.text : '';
  if (/^以下为示例市信息/.test(line) && blocks[1]) line = blocks[1].type === 'list' ? blocks[1].items[0] : blocks[1].type === 'paragraph' ? blocks[1].text : line;
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A short overview: what the service is, its key facts, and what one can ask about it. */
export function composeOverview(g: Guide): Composed {
  const facts: string[] = [];
  const add = (label: string, aspect: AspectKey) => {
    const line = firstLine(g, aspect);
    if (line) facts.push(`${label}：${line}`);
  };
  add('受理条件', 'conditions');
  add('办理时限', 'time');
  add('收费', 'fee');
  add('办理地点', 'location');
  add('网上办理', 'online');
  const askable = g.sections.map((s) => s.aspect).filter((a) => a !== 'faq').map((a) => ASPECT_LABEL[a]);
  const blocks: Block[] = [
    { type: 'heading', text: `${displayTitle(g)}（${g.department}）` },
    { type: 'list', ordered: false, items: facts },
    { type: 'paragraph', text: `您可以接着问：${askable.join('、')}。` },
    footer(g),
  ];
  return finish(blocks, [citation(g, null)]);
}

/** Suggested next questions about the same guide, skipping what was just answered. */
export function nextQuestions(g: Guide, answered: (AspectKey | null)[], max = 3): string[] {
  const have = new Set(g.sections.map((s) => s.aspect));
  const order: AspectKey[] = ['materials', 'process', 'time', 'fee', 'location', 'online', 'conditions', 'special'];
  return order.filter((a) => have.has(a) && !answered.includes(a)).slice(0, max).map((a) => ASPECT_QUESTION[a]!);
}

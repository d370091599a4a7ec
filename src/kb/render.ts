import { stringify } from 'yaml';
import { ASPECTS, type AspectKey } from './aspects.js';
import type { FaqPair, GuideFrontMatter } from './schema.js';

/** A line of imported text made safe for a section body: no heading or front-matter look-alikes. */
export function safeLine(line: string): string {
  return line.replace(/^\s*(#+|---)/, (m) => m.replace(/#/g, '＃').replace(/-/g, '－'));
}

function frontMatter(fm: object): string {
  const clean = Object.fromEntries(Object.entries(fm).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
  return `---\n${stringify(clean, { lineWidth: 0 }).trimEnd()}\n---\n`;
}

/** Writes a guide in the knowledge-base format; the inverse of parseGuide. */
export function renderGuide(fm: GuideFrontMatter, sections: Partial<Record<AspectKey, string>>, faq: Pick<FaqPair, 'question' | 'answer'>[] = []): string {
  const parts = [frontMatter(fm)];
  for (const a of ASPECTS) {
    if (a.key === 'faq') {
      if (!faq.length) continue;
      parts.push(`## ${a.heading}\n` + faq.map((p) => `### ${safeLine(p.question)}\n答：${p.answer.split('\n').map(safeLine).join('\n')}\n`).join('\n'));
      continue;
    }
    const body = sections[a.key]?.trim();
    if (body) parts.push(`## ${a.heading}\n${body.split('\n').map(safeLine).join('\n')}\n`);
  }
  return parts.join('\n');
}

export function renderFaqFile(fm: { id: string; title: string; guide?: string; source?: string; updated?: string }, pairs: Pick<FaqPair, 'question' | 'answer'>[]): string {
  return frontMatter(fm) + '\n' + pairs.map((p) => `### ${safeLine(p.question)}\n答：${p.answer.split('\n').map(safeLine).join('\n')}\n`).join('\n');
}

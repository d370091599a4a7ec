import { append, h, srOnly, type Child } from './dom.js';
import type { Strings } from './i18n.js';
import { safeUrl, splitLinks } from './safe-url.js';
import type { Block, Citation } from './types.js';

/** Text with its http(s) links made into links (opened in a new window); everything else stays text. */
export function linkedText(text: string, t: Strings, origin: string): Child[] {
  return splitLinks(text).map((p) => {
    const href = p.href ? safeUrl(p.href, origin) : null;
    return href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, p.text, srOnly(t.newLink)) : p.text;
  });
}

/** A reply's blocks as real headings, paragraphs and lists — never Markdown, never HTML. */
export function renderBlocks(blocks: Block[], t: Strings, origin: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const b of blocks) {
    if (b.type === 'heading') frag.appendChild(h('h3', { class: 'heading' }, ...linkedText(b.text, t, origin)));
    else if (b.type === 'paragraph') frag.appendChild(h('p', {}, ...linkedText(b.text, t, origin)));
    else {
      const list = h(b.ordered ? 'ol' : 'ul', {});
      for (const item of b.items) list.appendChild(h('li', {}, ...linkedText(item, t, origin)));
      frag.appendChild(list);
    }
  }
  return frag;
}

/** "来源：居民身份证补领 · 收费标准" with a link to the whole guide on the assistant's server. */
export function renderCitations(citations: Citation[], t: Strings, origin: string): HTMLElement | null {
  const seen = new Set<string>();
  const items: HTMLElement[] = [];
  for (const c of citations) {
    if (!c || typeof c.title !== 'string') continue;
    const key = `${c.guideId}#${c.section ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const section = c.section ? (t.sections[c.section] ?? c.section) : null;
    const href = safeUrl(c.url, origin);
    items.push(
      h(
        'li',
        {},
        h('span', { class: 'cite-name' }, t.source, section ? `${c.title} · ${section}` : c.title),
        href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'cite-link' }, t.fullGuide(c.title), srOnly(t.newLink)) : null,
      ),
    );
  }
  if (!items.length) return null;
  const list = h('ul', { class: 'cite' });
  append(list, ...items);
  return list;
}

/** Suggestions (or a clarify question's choices) as buttons that send their text. */
export function renderSuggestions(suggestions: string[], label: string, onPick: (text: string) => void): HTMLElement | null {
  const list = suggestions.filter((s) => typeof s === 'string' && s.trim()).slice(0, 8);
  if (!list.length) return null;
  const group = h('div', { class: 'sugs', role: 'group', 'aria-label': label });
  for (const s of list) {
    const b = h('button', { type: 'button', class: 'sug' }, s);
    b.addEventListener('click', () => onPick(s));
    group.appendChild(b);
  }
  return group;
}

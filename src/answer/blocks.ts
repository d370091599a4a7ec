/**
 * A reply's structured form, so every channel lays it out for itself: the widget renders real
 * lists, WeChat numbers the items in plain text. Never Markdown, never HTML.
 */
export type Block = { type: 'heading'; text: string } | { type: 'paragraph'; text: string } | { type: 'list'; ordered: boolean; items: string[] };

const ORDERED_ITEM = /^\s*(\d{1,2})[.、．)）]\s*(.+)$/;
const BULLET_ITEM = /^\s*[-*•·]\s+(.+)$/;

/** Parses a guide section (Markdown lists and paragraphs) into blocks. */
export function sectionBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const o = ORDERED_ITEM.exec(line);
    const b = o ? null : BULLET_ITEM.exec(line);
    const last = blocks[blocks.length - 1];
    if (o || b) {
      const item = (o ? o[2] : b![1]).trim();
      if (last?.type === 'list' && last.ordered === !!o) last.items.push(item);
      else blocks.push({ type: 'list', ordered: !!o, items: [item] });
    } else if (/^\s{2,}\S/.test(raw) && last?.type === 'list') {
      last.items[last.items.length - 1] += ` ${line}`;
    } else {
      blocks.push({ type: 'paragraph', text: line });
    }
  }
  return blocks;
}

/** Plain text for channels without markup (WeChat, SMS, logs): numbered items, bullets as ·. */
export function blocksToText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b.type === 'heading') return `【${b.text}】`;
      if (b.type === 'paragraph') return b.text;
      return b.items.map((item, i) => (b.ordered ? `${i + 1}. ${item}` : `· ${item}`)).join('\n');
    })
    .join('\n');
}

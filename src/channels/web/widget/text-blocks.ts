import type { Block } from './types.js';

/**
 * Blocks from a reply's plain text, for messages that come without them (a conversation
 * reloaded from the server): the inverse of the server's blocksToText — 【heading】, "1. item"
 * numbered lists, "· item" bullets, other lines paragraphs.
 */
export function textToBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const heading = /^\u3010(.+)\u3011$/.exec(line); // 【…】
    const ordered = /^\d{1,2}[.\u3001\uff0e]\s*(.+)$/.exec(line); // 1. 1、 1．
    const bullet = ordered ? null : /^[\u00b7\u2022]\s*(.+)$/.exec(line); // · •
    const last = blocks[blocks.length - 1];
    if (heading) blocks.push({ type: 'heading', text: heading[1] });
    else if (ordered || bullet) {
      const item = (ordered ? ordered[1] : bullet![1]).trim();
      if (last?.type === 'list' && last.ordered === !!ordered) last.items.push(item);
      else blocks.push({ type: 'list', ordered: !!ordered, items: [item] });
    } else blocks.push({ type: 'paragraph', text: line });
  }
  return blocks;
}

/** A reply's blocks when they are well formed, else blocks read from its text. */
export function replyBlocks(blocks: unknown, text: string): Block[] {
  if (Array.isArray(blocks) && blocks.length && blocks.every(isBlock)) return blocks;
  return textToBlocks(text);
}

function isBlock(b: unknown): b is Block {
  if (!b || typeof b !== 'object') return false;
  const x = b as Record<string, unknown>;
  if (x.type === 'heading' || x.type === 'paragraph') return typeof x.text === 'string';
  if (x.type === 'list') return typeof x.ordered === 'boolean' && Array.isArray(x.items) && x.items.every((i) => typeof i === 'string');
  return false;
}

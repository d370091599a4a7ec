/**
 * Replies laid out for a phone in WeChat: plain text only (WeChat shows no markup), lists
 * numbered, the guide's link in full, suggestions as "回复 1/2/3" choices, and long answers cut
 * into parts that each fit one WeChat text message, between blocks or list items, never inside one.
 */
import type { Block } from '../../answer/blocks.js';
import type { Reply } from '../../dialogue/reply.js';
import { waitText } from '../../handoff/eta.js';
import type { CitizenMessage } from '../../handoff/views.js';

/**
 * A safe bound for one text message: the Official Account's passive and customer-service text
 * replies are limited to 2,048 bytes of UTF-8 (about 680 Chinese characters); a personal
 * account's chat messages take more, and this bound keeps one layout for both.
 */
export const WECHAT_TEXT_MAX_BYTES = 2048;

/** Room kept at the start of each part for its "（1/3）" marker. */
const MARKER_RESERVE = 16;
/** Choices shown at most: "1" to "9" are what the dialogue maps back to a suggestion. */
const MAX_CHOICES = 9;

export interface LayoutOptions {
  /** Base of absolute links (PUBLIC_URL). */
  publicUrl: string;
  maxBytes?: number;
}

const encoder = new TextEncoder();
export const utf8Bytes = (s: string): number => encoder.encode(s).length;

/**
 * Removes what would show as stray symbols in WeChat: Markdown emphasis, headings, code marks,
 * links (kept as "text（url）") and HTML tags. The dialogue's text is already plain; this guards
 * against a language model's habits and a guide written with Markdown inside a paragraph.
 */
export function plain(text: string): string {
  return text
    .replace(/<\/?(?:br|p|div|li|ul|ol)\b[^>]*>/gi, '\n')
    .replace(/<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>\n]*)?\/?>/g, '')
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, '$1')
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) => (label === href ? href : `${label}（${href}）`))
    .replace(/(?<![\w*])(\*\*|__)(?=\S)([^*_\n]+?)\1(?![\w*])/g, '$2')
    .replace(/(?<![*\w])\*(?=\S)([^*\n]+?)\*(?![*\w])/g, '$1')
    .replace(/`{1,3}([^`\n]*)`{1,3}/g, '$1')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An absolute link for a citation's or form's URL ("/guides/x#fee" → PUBLIC_URL/guides/x#fee). */
export function absoluteUrl(url: string, publicUrl: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  // Under PUBLIC_URL's path too (https://city.gov.cn/zhushou + /guides/x).
  return `${publicUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** The units a reply is made of, in order; a unit is never split unless it alone is too long. */
function blockUnits(blocks: Block[]): string[] {
  const units: string[] = [];
  for (const b of blocks) {
    if (b.type === 'heading') units.push(`【${plain(b.text)}】`);
    else if (b.type === 'paragraph') {
      const t = plain(b.text);
      if (t) units.push(t);
    } else b.items.forEach((item, i) => units.push(`${i + 1}. ${plain(item)}`));
  }
  return units;
}

/** "回复 1：…" lines for the suggestions; the dialogue maps a bare "1" back to the first. */
export function choicesText(suggestions: string[]): string | null {
  const shown = suggestions.slice(0, MAX_CHOICES).map(plain).filter(Boolean);
  if (!shown.length) return null;
  return ['您可以回复数字继续：', ...shown.map((s, i) => `回复 ${i + 1}：${s}`)].join('\n');
}

/** The units of a reply, in order, and the guide's absolute link if it has one. */
function replyUnits(reply: Reply, o: LayoutOptions): { units: string[]; link: string | null } {
  if (reply.type === 'staff' && !reply.text.trim()) return { units: [], link: null };
  const units = blockUnits(reply.blocks?.length ? reply.blocks : [{ type: 'paragraph', text: reply.text }]);
  const shown = units.join('\n');
  const guide = reply.citations[0];
  const link = guide?.url ? absoluteUrl(guide.url, o.publicUrl) : null;
  if (link && !shown.includes(link)) units.push(`查看完整办事指南：${link}`);
  if (reply.form && (reply.form.status === 'complete' || reply.form.status === 'confirmed') && reply.form.url) {
    const formLink = absoluteUrl(reply.form.url, o.publicUrl);
    if (!shown.includes(formLink)) units.push(`网上办理：${formLink}`);
  }
  if (reply.handoff?.status === 'waiting' && reply.handoff.position !== null) {
    const wait = waitText(reply.handoff.position, reply.handoff.etaSeconds);
    if (wait && !shown.includes(wait)) units.push(wait);
  }
  const choices = choicesText(reply.suggestions);
  if (choices) units.push(choices);
  return { units, link };
}

/** A reply as the parts of plain text to send, in order; empty when nothing is to be sent (staff hold the conversation). */
export function layoutReply(reply: Reply, o: LayoutOptions): string[] {
  return splitUnits(replyUnits(reply, o).units, o.maxBytes ?? WECHAT_TEXT_MAX_BYTES);
}

/**
 * A reply in one message, for when only one can be sent (an Official Account without
 * customer-service credentials): as many whole units as fit, then a note pointing to the guide.
 */
export function layoutSingle(reply: Reply, o: LayoutOptions, more: (link: string | null) => string): string | null {
  const max = o.maxBytes ?? WECHAT_TEXT_MAX_BYTES;
  const { units, link } = replyUnits(reply, o);
  const parts = splitUnits(units, max);
  if (parts.length <= 1) return parts[0] ?? null;
  const note = more(link);
  const budget = max - utf8Bytes(note) - 1;
  const picked: string[] = [];
  for (const u of units.flatMap((u) => (utf8Bytes(u) <= budget ? [u] : cutLong(u, budget)))) {
    if (utf8Bytes([...picked, u].join('\n')) > budget) break;
    picked.push(u);
  }
  return [...picked, note].join('\n');
}

/** A message staff or the system sent (handoff events), laid out the same way. */
export function layoutMessage(m: Pick<CitizenMessage, 'role' | 'text' | 'author' | 'suggestions'>, o: LayoutOptions): string[] {
  const text = plain(m.text);
  if (!text) return [];
  const lines = text.split('\n').filter((l) => l.trim());
  if (m.role === 'staff') lines[0] = `【人工服务·${plain(m.author ?? '工作人员')}】${lines[0]}`;
  const choices = choicesText(m.suggestions ?? []);
  if (choices) lines.push(choices);
  return splitUnits(lines, o.maxBytes ?? WECHAT_TEXT_MAX_BYTES);
}

/** Sentences, for a unit too long for one message: cut after 。！？；, else at the limit. */
function cutLong(unit: string, limit: number): string[] {
  const out: string[] = [];
  let cur = '';
  const push = () => {
    if (cur) out.push(cur);
    cur = '';
  };
  for (const sentence of unit.split(/(?<=[。！？；!?;\n])/)) {
    if (utf8Bytes(cur + sentence) <= limit) {
      cur += sentence;
      continue;
    }
    push();
    if (utf8Bytes(sentence) <= limit) {
      cur = sentence;
      continue;
    }
    // A sentence longer than a whole message: by code points, never inside a character.
    for (const ch of sentence) {
      if (utf8Bytes(cur + ch) > limit) push();
      cur += ch;
    }
  }
  push();
  return out.map((s) => s.trim()).filter(Boolean);
}

/**
 * Packs units into as few parts as fit in `maxBytes` each (UTF-8), joined by new lines. A
 * heading is never left at the end of a part (it goes with what it heads). With more than one
 * part, each starts with "（i/n）".
 */
export function splitUnits(units: string[], maxBytes = WECHAT_TEXT_MAX_BYTES): string[] {
  const limit = maxBytes - MARKER_RESERVE;
  const pieces = units.map((u) => u.trim()).filter(Boolean).flatMap((u) => (utf8Bytes(u) <= limit ? [u] : cutLong(u, limit)));
  const parts: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const p of pieces) {
    const add = utf8Bytes(p) + (cur.length ? 1 : 0);
    if (cur.length && bytes + add > limit) {
      // Keep a heading with what it heads.
      const last = cur[cur.length - 1];
      const carry = cur.length > 1 && /^【.*】$/.test(last) && utf8Bytes(last) + 1 + utf8Bytes(p) <= limit ? cur.pop()! : null;
      parts.push(cur);
      cur = carry ? [carry, p] : [p];
      bytes = utf8Bytes(cur.join('\n'));
      continue;
    }
    cur.push(p);
    bytes += add;
  }
  if (cur.length) parts.push(cur);
  if (parts.length <= 1) return parts.map((p) => p.join('\n'));
  return parts.map((p, i) => `（${i + 1}/${parts.length}）${p.join('\n')}`);
}

/**
 * A link the widget may show, or null. Only http(s) URLs and same-origin paths of the assistant's
 * server ("/guides/…", resolved against `base`, the origin the widget was loaded from): never
 * javascript:, data:, protocol-relative "//host" or anything a browser might run.
 */
export function safeUrl(raw: unknown, base: string): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  if (!value || /[\u0000-\u001f\u007f\s\\]/.test(value)) return null;
  try {
    if (value.startsWith('/')) {
      if (value.startsWith('//')) return null;
      const u = new URL(value, base);
      return u.origin === new URL(base).origin ? u.href : null;
    }
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    if (u.username || u.password) return null;
    return u.href;
  } catch {
    return null;
  }
}

/** Pieces of plain text with the http(s) links in it found, so they can be made into <a> safely. */
export function splitLinks(text: string): { text: string; href?: string }[] {
  const out: { text: string; href?: string }[] = [];
  const re = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'*+,;=%]+/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // Sentence punctuation right after a link is not part of it.
    const url = m[0].replace(/[.,;:!?'\])]+$/, '');
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ text: url, href: url });
    last = m.index + url.length;
    re.lastIndex = last;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

import type { AspectKey } from '../kb/aspects.js';
import { allowedNumbers, numbersIn } from './numbers.js';

/** A section the model is given to answer from, with the id it must cite it by. */
export interface SourceSection {
  /** `guideId#aspect`, or `guideId#faq-N` for one pair of the guide's 常见问题. */
  id: string;
  guideId: string;
  title: string;
  aspect: AspectKey;
  /** URL anchor of the section: the aspect key, or faq-N. */
  anchor: string;
  heading: string;
  text: string;
}

export type CheckFailure = 'empty' | 'no_citation' | 'unknown_citation' | 'number_not_in_sections' | 'url_not_in_sections';

export interface CheckResult {
  passed: boolean;
  reason?: CheckFailure;
  /** What failed: the unknown id, the number or URL not found. */
  detail?: string;
  /** Section ids the reply cites, in order of first citation. */
  cited: string[];
  /** How many stated numbers were checked. */
  numbers: number;
}

/** Anything shaped like a section id (`guide-id#aspect`), cited in brackets or not. */
export const SECTION_ID = /[A-Za-z0-9][A-Za-z0-9-]*#[A-Za-z0-9-]+/g;
const URL = /https?:\/\/[A-Za-z0-9\-._~:/?#@!$&*+=%]+/g;

/** Numbers of all the sections given, read once per answer: a streamed reply is checked against them at every piece. */
const givenNumbers = new WeakMap<ReadonlyMap<string, SourceSection>, { texts: string[]; allowed: Set<string> }>();

const sourceTextOf = (s: SourceSection) => `${s.title}\n${s.heading}\n${s.text}`;

const blank = (s: string, start: number, end: number) => s.slice(0, start) + ' '.repeat(end - start) + s.slice(end);

/**
 * The grounding check, run on a model's reply before a citizen sees it as final: every cited id
 * is one of the sections given, every number stated (fees, days, ages, amounts, phone numbers,
 * dates, in digits or Chinese numerals) appears in the cited sections, every URL is one they
 * give, and the reply cites at least one section. `partial` checks a reply still being written:
 * what touches the end may be incomplete and is left for later, and "no citation yet" is no failure.
 */
export function checkReply(raw: string, sections: ReadonlyMap<string, SourceSection>, opts: { partial?: boolean } = {}): CheckResult {
  const text = raw.normalize('NFKC');
  const complete = (end: number) => !opts.partial || end < text.length;
  let rest = text;
  const urls: string[] = [];
  for (const m of text.matchAll(URL)) {
    const end = m.index! + m[0].length;
    rest = blank(rest, m.index!, end);
    if (complete(end)) urls.push(m[0].replace(/[.,;:!?)]+$/, ''));
  }
  const cited: string[] = [];
  for (const m of rest.matchAll(SECTION_ID)) {
    const end = m.index! + m[0].length;
    rest = blank(rest, m.index!, end);
    if (!complete(end)) continue;
    if (!sections.has(m[0])) return { passed: false, reason: 'unknown_citation', detail: m[0], cited, numbers: 0 };
    if (!cited.includes(m[0])) cited.push(m[0]);
  }
  if (!opts.partial) {
    if (!rest.replace(/[\s\p{P}]/gu, '')) return { passed: false, reason: 'empty', cited, numbers: 0 };
    if (!cited.length) return { passed: false, reason: 'no_citation', cited, numbers: 0 };
  }
  // The final reply is held to the sections it cites; a reply still being written, whose
  // citations may come later, to all the sections given (a number in none of them never passes).
  let given = opts.partial ? givenNumbers.get(sections) : undefined;
  if (opts.partial && !given) {
    const texts = [...sections.values()].map(sourceTextOf);
    givenNumbers.set(sections, (given = { texts, allowed: allowedNumbers(texts) }));
  }
  const sourceText = given ? given.texts : cited.map((id) => sourceTextOf(sections.get(id)!));
  for (const url of urls) {
    if (!sourceText.some((t) => t.includes(url))) return { passed: false, reason: 'url_not_in_sections', detail: url, cited, numbers: 0 };
  }
  const allowed = given ? given.allowed : allowedNumbers(sourceText);
  const claims = numbersIn(rest, 'claims').filter((n) => complete(n.end));
  for (const n of claims) {
    if (!allowed.has(n.value) && !allowed.has(`zh:${n.raw}`)) {
      return { passed: false, reason: 'number_not_in_sections', detail: n.raw, cited, numbers: claims.length };
    }
  }
  return { passed: true, cited, numbers: claims.length };
}

import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { z } from 'zod';
import { ASPECTS, HEADING_TO_ASPECT, REQUIRED_ASPECTS } from './aspects.js';
import { faqFrontMatter, guideFrontMatter, type FaqPair, type Guide, type FaqFile, type Problem, type Section } from './schema.js';

interface Body {
  lineOffset: number;
  lines: string[];
}

interface FrontMatterResult<T> {
  data?: T;
  body?: Body;
  problems: Problem[];
  /** File line of each front-matter key, and of each item of a list value (`aliases.0` …). */
  lines: Record<string, number>;
}

/** Splits `---` YAML front matter from the body and validates it, with file:line for each problem. */
function readFrontMatter<S extends z.ZodType>(text: string, file: string, schema: S): FrontMatterResult<z.output<S>> {
  const problems: Problem[] = [];
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const err = (line: number, message: string) => problems.push({ file, line, message, severity: 'error' });
  const keyLines: Record<string, number> = {};
  if (lines[0]?.trim() !== '---') {
    err(1, 'missing front matter: the file must start with a line "---"');
    return { problems, lines: keyLines };
  }
  const end = lines.indexOf('---', 1);
  if (end < 0) {
    err(1, 'front matter is not closed by a line "---"');
    return { problems, lines: keyLines };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(lines.slice(1, end).join('\n'), { lineCounter, prettyErrors: false, uniqueKeys: true });
  // The YAML starts on the file's second line.
  const lineOf = (offset: number | undefined) => (offset === undefined ? 2 : lineCounter.linePos(offset).line + 1);
  for (const e of doc.errors) err(lineOf(e.pos[0]), `bad front matter: ${e.message.split('\n')[0]}`);
  if (doc.errors.length) return { problems, lines: keyLines };
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !isMap(doc.contents)) {
    err(2, 'bad front matter: expected "key: value" lines');
    return { problems, lines: keyLines };
  }
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    keyLines[key] = lineOf(pair.key.range?.[0]);
    if (isSeq(pair.value)) pair.value.items.forEach((item, i) => (keyLines[`${key}.${i}`] = lineOf(isNode(item) ? item.range?.[0] : undefined)));
  }
  const keyLine = (key: PropertyKey | undefined): number => (key === undefined ? 2 : (keyLines[String(key)] ?? 2));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0];
      const where = issue.code === 'unrecognized_keys' ? `unknown front matter key(s) ${issue.keys.join(', ')}` : `front matter "${issue.path.join('.')}"`;
      err(issue.path.length > 1 ? (keyLines[issue.path.slice(0, 2).join('.')] ?? keyLine(key)) : keyLine(key), `${where}: ${issue.message}`);
    }
    return { problems, lines: keyLines };
  }
  return { data: parsed.data, body: { lineOffset: end + 1, lines: lines.slice(end + 1) }, problems, lines: keyLines };
}

/** Parses `### question` / answer pairs (the 常见问题 format, also used by faq/ files). */
function parseFaqPairs(lines: string[], firstLine: number, file: string, problems: Problem[]): FaqPair[] {
  const pairs: FaqPair[] = [];
  let current: { question: string; line: number; answer: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const answer = current.answer.join('\n').trim().replace(/^答[:：]\s*/, '');
    if (!answer) problems.push({ file, line: current.line, message: `question "${current.question}" has no answer`, severity: 'error' });
    else pairs.push({ question: current.question, answer, line: current.line });
  };
  lines.forEach((line, i) => {
    const m = /^###\s+(.+?)\s*$/.exec(line);
    if (m) {
      flush();
      current = { question: m[1].replace(/^问[:：]\s*/, ''), line: firstLine + i, answer: [] };
    } else if (current) current.answer.push(line);
    else if (line.trim()) problems.push({ file, line: firstLine + i, message: 'text before the first "### question" heading', severity: 'error' });
  });
  flush();
  return pairs;
}

/** Parses one guide file. Returns the guide when it is usable, and every problem found. */
export function parseGuide(text: string, file: string): { guide?: Guide; problems: Problem[] } {
  const fm = readFrontMatter(text, file, guideFrontMatter);
  const problems = fm.problems;
  if (!fm.data || !fm.body) return { problems };
  const err = (line: number, message: string) => problems.push({ file, line, message, severity: 'error' });
  const { lines, lineOffset } = fm.body;

  const sections: Section[] = [];
  let faq: FaqPair[] = [];
  let open: { heading: string; aspect: Section['aspect'] | null; line: number; body: string[]; bodyLine: number } | null = null;
  const close = () => {
    if (!open || !open.aspect) return;
    const body = open.body.join('\n').trim();
    if (!body) return err(open.line, `section "${open.heading}" is empty`);
    if (open.aspect === 'faq') {
      faq = parseFaqPairs(open.body, open.bodyLine, file, problems);
      if (!faq.length) err(open.line, 'section "常见问题" needs "### question" headings, each followed by its answer');
    } else {
      open.body.forEach((l, i) => {
        if (/^###/.test(l)) err(open!.bodyLine + i, '"###" headings belong only in 常见问题');
      });
    }
    sections.push({ aspect: open.aspect, heading: open.heading, text: body, line: open.line });
  };

  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    const lineNo = lineOffset + i + 1;
    const h2 = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    if (h2 && !line.startsWith('###')) {
      close();
      const heading = h2[1];
      const aspect = HEADING_TO_ASPECT.get(heading) ?? null;
      if (!aspect) err(lineNo, `unknown section heading "${heading}"; allowed: ${ASPECTS.map((a) => a.heading).join(', ')}`);
      else if (seen.has(heading)) err(lineNo, `section "${heading}" appears twice (first on line ${seen.get(heading)})`);
      seen.set(heading, lineNo);
      open = { heading, aspect: aspect && seen.get(heading) === lineNo ? aspect : null, line: lineNo, body: [], bodyLine: lineNo + 1 };
      return;
    }
    if (/^#\s/.test(line)) return err(lineNo, 'use "##" section headings; the title belongs in the front matter');
    if (open) open.body.push(line);
    else if (line.trim()) err(lineNo, 'text outside any section: start a section with a "##" heading');
  });
  close();

  for (const key of REQUIRED_ASPECTS) {
    if (!sections.some((s) => s.aspect === key)) {
      const heading = ASPECTS.find((a) => a.key === key)!.heading;
      err(lineOffset, `missing required section "## ${heading}"`);
    }
  }
  const guide: Guide = { ...fm.data, sections, faq, file, lines: fm.lines };
  return { guide, problems };
}

/** Parses one file of knowledge/faq/. */
export function parseFaqFile(text: string, file: string): { faq?: FaqFile; problems: Problem[] } {
  const fm = readFrontMatter(text, file, faqFrontMatter);
  const problems = fm.problems;
  if (!fm.data || !fm.body) return { problems };
  const pairs = parseFaqPairs(fm.body.lines, fm.body.lineOffset + 1, file, problems);
  if (!pairs.length) problems.push({ file, line: fm.body.lineOffset, message: 'no "### question" entries', severity: 'error' });
  return { faq: { ...fm.data, pairs, file }, problems };
}

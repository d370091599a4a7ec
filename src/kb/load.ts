import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { loadFormSpecs } from '../forms/spec.js';
import { parseFaqFile, parseGuide } from './parse.js';
import type { FaqFile, Guide, Problem } from './schema.js';

export interface KnowledgeBase {
  guides: Guide[];
  faqs: FaqFile[];
  byId: ReadonlyMap<string, Guide>;
  /** Every problem found while loading (parse problems and cross-file checks). */
  problems: Problem[];
  /** Hash of every file that was read: built indexes record it and are reused only if it matches. */
  hash: string;
  roots: string[];
}

function walk(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, ext));
    else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** Ids of form specs present under `<root>/forms/`. */
export function formIds(roots: string[]): Set<string> {
  const ids = new Set<string>();
  for (const root of roots) for (const f of walk(join(root, 'forms'), '.yaml')) ids.add(basename(f, '.yaml'));
  return ids;
}

interface KnowledgeFile {
  root: string;
  path: string;
  kind: 'guide' | 'faq';
  text: string;
}

const DICT_FILES = ['dict/domain.txt', 'dict/synonyms.txt', 'dict/stopwords.txt'];

/** Reads every file that makes up the knowledge (guides, FAQ, dictionary) and hashes them. */
export function readKnowledgeFiles(roots: string[]): { files: KnowledgeFile[]; hash: string; missing: string[] } {
  const hash = createHash('sha256');
  const files: KnowledgeFile[] = [];
  const missing: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) {
      missing.push(root);
      continue;
    }
    for (const [kind, sub] of [['guide', 'guides'], ['faq', 'faq']] as const) {
      for (const path of walk(join(root, sub), '.md')) {
        const text = readFileSync(path, 'utf8');
        hash.update(path.slice(root.length)).update('\0').update(text).update('\0');
        files.push({ root, path, kind, text });
      }
    }
    for (const name of DICT_FILES) {
      const p = join(root, name);
      if (existsSync(p)) hash.update(name).update('\0').update(readFileSync(p)).update('\0');
    }
  }
  return { files, hash: hash.digest('hex').slice(0, 32), missing };
}

/** The content hash of the knowledge roots, without parsing them. */
export function hashKnowledge(roots: string[]): string {
  return readKnowledgeFiles(roots).hash;
}

/**
 * Loads guides and FAQ from one or more knowledge roots (each with guides/ and faq/), checks
 * each file and the whole set, and returns what is usable with every problem found.
 */
export function loadKnowledgeBase(roots: string[]): KnowledgeBase {
  const problems: Problem[] = [];
  const guides: Guide[] = [];
  const faqs: FaqFile[] = [];
  const display = (p: string) => relative(process.cwd(), p) || p;
  const { files, hash, missing } = readKnowledgeFiles(roots);
  for (const root of missing) problems.push({ file: root, line: 0, message: 'knowledge directory does not exist', severity: 'error' });

  for (const { root, path, kind, text } of files) {
    const file = display(path);
    if (kind === 'faq') {
      const r = parseFaqFile(text, file);
      problems.push(...r.problems);
      if (r.faq) faqs.push(r.faq);
      continue;
    }
    const r = parseGuide(text, file);
    problems.push(...r.problems);
    if (!r.guide) continue;
    const folder = basename(dirname(path));
    if (dirname(path) !== join(root, 'guides') && folder !== r.guide.department) {
      problems.push({ file, line: r.guide.lines?.department ?? 1, message: `department "${r.guide.department}" does not match its folder "${folder}"`, severity: 'error' });
    }
    if (basename(path, '.md') !== r.guide.id) {
      problems.push({ file, line: r.guide.lines?.id ?? 1, message: `id "${r.guide.id}" does not match the file name "${basename(path)}"`, severity: 'error' });
    }
    guides.push(r.guide);
  }

  problems.push(...crossChecks(guides, faqs, formIds(roots)));
  problems.push(...formSpecChecks(roots, guides));
  return assembleKnowledgeBase(guides, faqs, problems, hash, roots);
}

/** Builds the lookup structure; also used to restore a snapshot saved with a built index. */
export function assembleKnowledgeBase(guides: Guide[], faqs: FaqFile[], problems: Problem[], hash: string, roots: string[]): KnowledgeBase {
  const byId = new Map<string, Guide>();
  for (const g of guides) if (!byId.has(g.id)) byId.set(g.id, g);
  return { guides: [...byId.values()], faqs, byId, problems, hash, roots };
}

/** Checks that need the whole set: unique ids, aliases that name one guide only, forms that exist. */
function crossChecks(guides: Guide[], faqs: FaqFile[], forms: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const ids = new Map<string, string>();
  for (const item of [...guides, ...faqs]) {
    const first = ids.get(item.id);
    if (first) problems.push({ file: item.file, line: ('lines' in item ? item.lines?.id : undefined) ?? 2, message: `duplicate id "${item.id}" (also in ${first})`, severity: 'error' });
    else ids.set(item.id, item.file);
  }
  const aliasOwner = new Map<string, Guide>();
  const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  for (const g of guides) {
    const own = new Set<string>();
    g.aliases.forEach((alias, i) => {
      const a = norm(alias);
      const line = g.lines?.[`aliases.${i}`] ?? 2;
      if (own.has(a)) return problems.push({ file: g.file, line, message: `alias "${alias}" is listed twice`, severity: 'error' });
      own.add(a);
      const other = aliasOwner.get(a);
      if (other && other !== g) {
        problems.push({ file: g.file, line, message: `alias "${alias}" is shared with ${other.id} (${other.file}); an alias must name one service`, severity: 'error' });
      } else aliasOwner.set(a, g);
    });
  }
  const guideIds = new Set(guides.map((g) => g.id));
  for (const f of faqs) {
    if (f.guide && !guideIds.has(f.guide)) problems.push({ file: f.file, line: 2, message: `faq names guide "${f.guide}", which does not exist`, severity: 'error' });
  }
  for (const g of guides) {
    if (g.form && !forms.has(g.form)) {
      problems.push({ file: g.file, line: g.lines?.form ?? 2, message: `form "${g.form}" has no spec in forms/${g.form}.yaml`, severity: 'error' });
    }
  }
  return problems;
}

/** Every form spec's schema (file:line), and specs no guide refers to. */
function formSpecChecks(roots: string[], guides: Guide[]): Problem[] {
  const specs = loadFormSpecs(roots);
  const used = new Set(guides.map((g) => g.form).filter(Boolean));
  const problems = [...specs.problems];
  for (const [id] of specs.byId) {
    if (!used.has(id)) problems.push({ file: specs.files.get(id) ?? `forms/${id}.yaml`, line: 1, message: `form "${id}" is not referred to by any guide (front matter "form: ${id}")`, severity: 'warning' });
  }
  return problems;
}

export function formatProblem(p: Problem): string {
  return `${p.file.split(sep).join('/')}:${p.line}: ${p.severity}: ${p.message}`;
}
